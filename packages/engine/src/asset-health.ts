import { assetHealthCounts, storeDb } from "@almanac/store";
import type { AssetSummary } from "./asset-summaries.js";
import { assetSummaries } from "./asset-summaries.js";
import { cachedCodeVersion } from "./cached-code-versions.js";
import type { EngineContext } from "./engine-context.js";

/** An asset as a status page shows it: {@link AssetSummary} with materialized partitions split by code version. */
export interface AssetHealth extends Omit<AssetSummary, "counts"> {
  readonly counts: AssetSummary["counts"] & {
    /** Materialized with an older code version than the model's current one (included in no other count). */
    readonly stale: number;
    /** Every partition up to the last one at `now` (1 for a non-partitioned asset). */
    readonly total: number;
  };
}

/**
 * {@link assetSummaries} plus, per asset, how many materialized partitions are stale because
 * the model's code changed; `materialized` then counts only fresh ones, so the counts add up
 * to `total`. Two grouped store reads whatever the number of partitions.
 */
export async function assetHealth(ctx: EngineContext, now: Date): Promise<AssetHealth[]> {
  const summaries = await assetSummaries(ctx, now);
  const versions = summaries.map((s) => ({ assetKey: s.key, codeVersion: cachedCodeVersion(ctx, s.key) }));
  const rows = new Map((await assetHealthCounts(storeDb(ctx.store), versions)).map((row) => [row.assetKey, row]));
  return summaries.map((summary) => {
    const stale = rows.get(summary.key)?.stale ?? 0;
    const counts = { ...summary.counts, materialized: Math.max(0, summary.counts.materialized - stale), stale };
    const total = counts.materialized + stale + counts.failed + counts.running + counts.queued + counts.missing;
    return { ...summary, counts: { ...counts, total } };
  });
}
