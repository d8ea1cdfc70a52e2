import {
  assetFreshness,
  assetSummaries,
  getBackfillProgress,
  isFinalBackfillStatus,
  listBackfillSummaries,
  scheduleSummaries,
} from "@almanac/engine";
import type { StateSources } from "@almanac/metrics";
import { countSourceEvents, storeDb } from "@almanac/store";
import type { RouteDeps } from "../app-options.js";

/** Backfills looked at per scrape: the newest ones, where unfinished backfills are. */
const recentBackfills = 100;

/**
 * Where the server's gauges read the store at scrape time: the same engine functions as
 * `GET /api/assets`, `/api/backfills/:id` and `/api/schedules`, so the numbers agree with the API.
 */
export function storeStateSources({ ctx, runQueue, now }: RouteDeps): StateSources {
  const bullQueue = runQueue.queue;
  return {
    queueJobs: bullQueue ? () => bullQueue.getJobCounts() : undefined,
    async assetPartitions() {
      return (await assetSummaries(ctx, now())).map((summary) => ({ asset: summary.key, counts: summary.counts }));
    },
    async activeBackfills() {
      const active = (await listBackfillSummaries(ctx, { limit: recentBackfills })).filter(
        (backfill) => !isFinalBackfillStatus(backfill.status),
      );
      return Promise.all(
        active.map(async ({ id }) => {
          const { total: _total, ...counts } = (await getBackfillProgress(ctx, id)).counts;
          return { id, counts };
        }),
      );
    },
    sourceEvents: () => countSourceEvents(storeDb(ctx.store)),
    async assetOverdue() {
      return (await assetFreshness(ctx, now())).map(({ assetKey, overdue }) => ({ asset: assetKey, overdue }));
    },
    async scheduleTickLag() {
      const summaries = await scheduleSummaries(ctx, { now: now(), ticks: 1 });
      return summaries.flatMap(({ name, lastTicks: [latest] }) =>
        latest ? [{ schedule: name, lagSeconds: (latest.createdAt.getTime() - latest.tickTime.getTime()) / 1000 }] : [],
      );
    },
  };
}
