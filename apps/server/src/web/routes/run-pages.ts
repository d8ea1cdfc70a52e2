import { cancelRun } from "@almanac/engine";
import { AlmanacError } from "@almanac/errors";
import { getRun, listRunEvents, listRuns, type RunStatus, runStatuses, storeDb } from "@almanac/store";
import type { FastifyInstance } from "fastify";
import { formFailure, type PageRenderer, queryParam } from "../pages.js";
import type { WebOptions } from "../web-options.js";

const finalStatuses = new Set<RunStatus>(["succeeded", "failed", "canceled"]);

/** Log events shown on a run page; a longer log is cut with a note (the API pages through all of it). */
const eventsShown = 1_000;

/** `/runs` (filtered list) and `/runs/:id` (steps, timings, rows, errors, log; refreshes while it runs). */
export function runPages(app: FastifyInstance, options: WebOptions, pages: PageRenderer): void {
  const { ctx } = options;

  app.get("/runs", async (request, reply) => {
    const filter = {
      status: queryParam(request.query, "status", 64),
      asset: queryParam(request.query, "asset", 255),
      partition: queryParam(request.query, "partition", 64),
      backfill: queryParam(request.query, "backfill", 64),
      cursor: queryParam(request.query, "cursor", 64),
    };
    const status =
      filter.status && (runStatuses as readonly string[]).includes(filter.status) ? filter.status : undefined;
    let page: Awaited<ReturnType<typeof listRuns>> = { runs: [], nextCursor: null };
    let error: string | undefined;
    try {
      page = await listRuns(storeDb(ctx.store), {
        status: status as RunStatus | undefined,
        assetKey: filter.asset,
        partitionKey: filter.partition,
        backfillId: filter.backfill,
        cursor: filter.cursor,
        limit: 50,
      });
    } catch (caught) {
      error = formFailure(caught).message;
    }
    const next = page.nextCursor
      ? `/runs?${new URLSearchParams(
          Object.entries({ ...filter, cursor: page.nextCursor }).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        ).toString()}`
      : undefined;
    const assets = [...ctx.project.order].filter((k) => ctx.project.models.get(k)?.config.materialized !== "ephemeral");
    return pages.send(
      request,
      reply,
      "runs.njk",
      { nav: "runs", runs: page.runs, filter, runStatuses, assets, next, error },
      error ? 400 : 200,
    );
  });

  app.get("/runs/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    const db = storeDb(ctx.store);
    const run = await getRun(db, id);
    if (!run) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${id}`);
    const events = await listRunEvents(db, id, { limit: eventsShown });
    const live = !finalStatuses.has(run.status);
    const steps = run.steps.map((step) => ({
      ...step,
      durationMs: step.startedAt ? (step.finishedAt ?? new Date()).getTime() - step.startedAt.getTime() : null,
    }));
    const durationMs = run.startedAt ? (run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime() : null;
    const rowsWritten = run.steps.reduce((sum, step) => sum + Number(step.rowsWritten ?? 0), 0);
    return pages.send(request, reply, "run.njk", {
      nav: "runs",
      run,
      steps,
      events,
      eventsCut: events.length === eventsShown,
      live,
      durationMs,
      rowsWritten,
    });
  });

  app.post("/runs/:id/cancel", async (request, reply) => {
    const { id } = request.params as { id: string };
    await cancelRun(ctx, id);
    return reply.redirect(`/runs/${id}`, 303);
  });
}
