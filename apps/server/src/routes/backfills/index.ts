import {
  cancelBackfill,
  getBackfillProgress,
  listBackfillSummaries,
  type RecordedBackfill,
  requestBackfill,
  retryBackfill,
} from "@almanac/engine";
import { AlmanacError } from "@almanac/errors";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger } from "fastify";
import type { RouteDeps, RunQueue } from "../../app-options.js";
import {
  cancelBackfillSchema,
  createBackfillSchema,
  getBackfillSchema,
  listBackfillsSchema,
  retryBackfillSchema,
} from "../../schemas/backfills.js";
import { backfillJson, backfillSummaryJson } from "./backfill-json.js";

/** How long a request waits for Redis before answering 503; the backfill is safe in Postgres either way. */
const enqueueTimeoutMs = 5_000;

export interface BackfillRouteOptions extends RouteDeps {
  /** Backfills over more partitions are refused. Default: the engine's (100,000). */
  readonly maxPartitions?: number;
}

/** `/api/backfills`: request, list, follow, cancel and retry backfills. */
export const backfillRoutes: FastifyPluginAsyncTypebox<BackfillRouteOptions> = async (app, options) => {
  const { ctx, runQueue, now, maxPartitions } = options;
  app.post("", { schema: createBackfillSchema }, async (request, reply) => {
    const backfill = await requestBackfill(ctx, request.body, { now: now(), maxPartitions });
    await enqueue(runQueue, backfill, request.log);
    return reply.status(202).send(accepted(backfill));
  });

  app.get("", { schema: listBackfillsSchema }, async (request) => {
    const backfills = await listBackfillSummaries(ctx, { limit: request.query.limit });
    return { backfills: backfills.map(backfillSummaryJson) };
  });

  app.get("/:id", { schema: getBackfillSchema }, async (request) => {
    return backfillJson(await getBackfillProgress(ctx, request.params.id));
  });

  app.post("/:id/cancel", { schema: cancelBackfillSchema }, async (request, reply) => {
    return reply.status(202).send(backfillJson(await cancelBackfill(ctx, request.params.id)));
  });

  app.post("/:id/retry", { schema: retryBackfillSchema }, async (request, reply) => {
    const backfill = await retryBackfill(ctx, request.params.id, { now: now() });
    await enqueue(runQueue, backfill, request.log);
    return reply.status(202).send(accepted(backfill));
  });
};

function accepted(backfill: RecordedBackfill) {
  return { backfillId: backfill.backfillId, partitions: backfill.partitions, runs: backfill.runs };
}

/**
 * Hands the first wave of a recorded backfill to the workers, in one `addBulk`; the workers
 * enqueue each later wave when the one before finishes. When Redis fails or does not answer in
 * time the client gets 503: the backfill stays recorded, its runs queued in Postgres, and the
 * reconciler hands them over once Redis is back.
 */
async function enqueue(runQueue: RunQueue, backfill: RecordedBackfill, log: FastifyBaseLogger): Promise<void> {
  if (backfill.ready.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs);
  });
  try {
    await Promise.race([runQueue.enqueueRuns(backfill.ready), timeout]);
  } catch (error) {
    log.error({ err: error, backfillId: backfill.backfillId }, "backfill recorded but not enqueued");
    throw new AlmanacError(
      "ALMANAC_QUEUE_UNAVAILABLE",
      `backfill ${backfill.backfillId} is recorded but the queue (Redis) did not take its runs: ` +
        "the reconciler hands them over once Redis is back (do not request it again)",
      { backfillId: backfill.backfillId },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
