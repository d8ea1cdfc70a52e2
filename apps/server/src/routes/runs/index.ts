import { cancelRun, requestRun } from "@almanac/engine";
import { AlmanacError } from "@almanac/errors";
import { getRun, listRunEvents, listRuns, type RunStatus, storeDb } from "@almanac/store";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger } from "fastify";
import type { RouteDeps, RunQueue } from "../../app-options.js";
import {
  cancelRunSchema,
  createRunSchema,
  getRunSchema,
  listRunEventsSchema,
  listRunsSchema,
} from "../../schemas/runs.js";
import { policyOfBody } from "./requested-policy.js";
import { runEventJson, runJson, runSummaryJson } from "./run-json.js";

/** How long a request waits for Redis before answering 503; the run is safe in Postgres either way. */
const enqueueTimeoutMs = 5_000;

/** `/api/runs`: request, list, inspect and cancel runs. */
export const runRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { ctx, runQueue, now }) => {
  app.post("", { schema: createRunSchema }, async (request, reply) => {
    const { select, partition, from, to, partitions } = request.body;
    const run = await requestRun(
      ctx,
      { select, partition, from, to, partitions },
      { now: now(), trigger: "api", policy: policyOfBody(request.body) },
    );
    // The run this request joined may have started meanwhile.
    const status: RunStatus = run.existing
      ? ((await getRun(storeDb(ctx.store), run.runId))?.status ?? "queued")
      : "queued";
    // Enqueueing is idempotent (the job id is the run's and its attempt's), so a queued run is
    // handed over again: a retry after Redis failed gets the run to the workers.
    if (status === "queued") await enqueue(runQueue, run, request.log);
    return reply.status(202).send({ runId: run.runId, status, existing: run.existing });
  });

  app.get("", { schema: listRunsSchema }, async (request) => {
    const { status, asset, partition, backfill, limit, cursor } = request.query;
    const page = await listRuns(storeDb(ctx.store), {
      // The schema's pattern admits only run statuses, so the cast only narrows the type.
      status: status === undefined ? undefined : (status.split(",") as RunStatus[]),
      assetKey: asset,
      partitionKey: partition,
      backfillId: backfill,
      limit,
      cursor,
    });
    return { runs: page.runs.map(runSummaryJson), nextCursor: page.nextCursor };
  });

  app.get("/:id", { schema: getRunSchema }, async (request) => {
    const run = await getRun(storeDb(ctx.store), request.params.id);
    if (!run) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${request.params.id}`);
    return runJson(run);
  });

  app.get("/:id/events", { schema: listRunEventsSchema }, async (request) => {
    const { after, limit } = request.query;
    const db = storeDb(ctx.store);
    const events = await listRunEvents(db, request.params.id, { afterId: after, limit });
    // An empty page is ambiguous (no new events, or no such run): only then look the run up.
    if (events.length === 0 && !(await getRun(db, request.params.id))) {
      throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${request.params.id}`);
    }
    return { events: events.map(runEventJson), nextAfter: events.at(-1)?.id ?? after ?? 0 };
  });

  app.post("/:id/cancel", { schema: cancelRunSchema }, async (request, reply) => {
    const status = await cancelRun(ctx, request.params.id);
    return reply.status(202).send({ runId: request.params.id, status });
  });
};

/**
 * Hands a recorded run to the workers. When Redis fails or does not answer in time, the run
 * stays queued in Postgres and the client gets 503: retrying the same request joins that run
 * and enqueues it again. The timeout guards against a connection that waits on Redis forever.
 */
async function enqueue(
  runQueue: RunQueue,
  run: { runId: string; attempt: number },
  log: FastifyBaseLogger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs);
  });
  try {
    await Promise.race([runQueue.enqueueRuns([{ runId: run.runId, attempt: run.attempt }]), timeout]);
  } catch (error) {
    log.error({ err: error, runId: run.runId }, "run recorded but not enqueued");
    throw new AlmanacError(
      "ALMANAC_QUEUE_UNAVAILABLE",
      `run ${run.runId} is recorded but the queue (Redis) did not take it: retry the request to hand it over again`,
      { runId: run.runId },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
