import {
  type BackfillProgress,
  cancelBackfill,
  getBackfillProgress,
  isFinalBackfillStatus,
  listBackfillSummaries,
  retryBackfill,
} from "@almanac/engine";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { formFailure, handOver, type PageRenderer } from "../pages.js";
import type { WebOptions } from "../web-options.js";

const progressStatuses = ["materialized", "failed", "running", "queued", "canceled"] as const;

/**
 * Time left at the pace so far: elapsed × remaining / done. Unknown before the first partition
 * finishes and once nothing remains.
 */
function etaMs(backfill: BackfillProgress): number | null {
  const { counts } = backfill;
  const done = counts.materialized + counts.failed + counts.canceled;
  const remaining = counts.total - done;
  if (!backfill.startedAt || done === 0 || remaining <= 0 || isFinalBackfillStatus(backfill.status)) return null;
  const elapsed = Date.now() - backfill.startedAt.getTime();
  return (elapsed * remaining) / done;
}

/** `/backfills` and `/backfills/:id`: progress bar with counts, ETA, cancel and retry. */
export function backfillPages(app: FastifyInstance, options: WebOptions, pages: PageRenderer): void {
  const { ctx, now, runQueue } = options;

  app.get("/backfills", async (request, reply) => {
    const backfills = await listBackfillSummaries(ctx, { limit: 50 });
    return pages.send(request, reply, "backfills.njk", {
      nav: "backfills",
      backfills: backfills.map((b) => ({ ...b, final: isFinalBackfillStatus(b.status) })),
    });
  });

  const backfillPage = async (request: FastifyRequest, reply: FastifyReply, error?: string, status?: number) => {
    const { id } = request.params as { id: string };
    const backfill = await getBackfillProgress(ctx, id);
    const total = backfill.counts.total;
    const segments = progressStatuses
      .filter((s) => backfill.counts[s] > 0)
      .map((s) => ({
        status: s,
        count: backfill.counts[s],
        percent: total === 0 ? 0 : (100 * backfill.counts[s]) / total,
      }));
    const done = backfill.counts.materialized + backfill.counts.failed + backfill.counts.canceled;
    const final = isFinalBackfillStatus(backfill.status);
    return pages.send(
      request,
      reply,
      "backfill.njk",
      {
        nav: "backfills",
        backfill,
        segments,
        progressStatuses,
        percentDone: total === 0 ? 100 : Math.floor((100 * done) / total),
        etaMs: etaMs(backfill),
        final,
        live: !final,
        canRetry: final && backfill.counts.failed + backfill.counts.canceled > 0,
        error,
      },
      status,
    );
  };

  app.get("/backfills/:id", async (request, reply) => backfillPage(request, reply));

  app.post("/backfills/:id/cancel", async (request, reply) => {
    const { id } = request.params as { id: string };
    await cancelBackfill(ctx, id);
    return reply.redirect(`/backfills/${id}`, 303);
  });

  app.post("/backfills/:id/retry", async (request, reply) => {
    const { id } = request.params as { id: string };
    try {
      const retry = await retryBackfill(ctx, id, { now: now() });
      await handOver(runQueue, retry.ready, request);
      return reply.redirect(`/backfills/${retry.backfillId}`, 303);
    } catch (error) {
      const failure = formFailure(error);
      return backfillPage(request, reply, failure.message, failure.status);
    }
  });
}
