import { assetHealthCounts, storeDb } from "@almanac/store";
import { describeAssets } from "./asset-description.js";
import { assetFreshness } from "./asset-freshness.js";
import type { AssetSummary } from "./asset-summaries.js";
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
 * What {@link assetSummaries} says of every asset, plus how many materialized partitions are
 * stale because the model's code changed; `materialized` counts only fresh ones, so the counts
 * add up to `total`. One grouped store read, whatever the number of partitions (a second one,
 * as `assetSummaries` would add, doubles the page's time at 365,000 partitions).
 */
export async function assetHealth(ctx: EngineContext, now: Date, only?: string): Promise<AssetHealth[]> {
  const assets = describeAssets(ctx.project, now, only);
  const versions = assets.map(({ key }) => ({ assetKey: key, codeVersion: cachedCodeVersion(ctx, key) }));
  const rows = new Map((await assetHealthCounts(storeDb(ctx.store), versions)).map((row) => [row.assetKey, row]));
  // No store read at all unless some asset has a freshness policy.
  const freshness = new Map((await assetFreshness(ctx, now, only)).map((entry) => [entry.assetKey, entry]));
  return assets.map(({ expectedPartitions, ...asset }): AssetHealth => {
    const row = rows.get(asset.key);
    return {
      ...asset,
      counts: {
        materialized: row?.materialized ?? 0,
        stale: row?.stale ?? 0,
        failed: row?.failed ?? 0,
        running: row?.running ?? 0,
        queued: row?.queued ?? 0,
        missing: Math.max(0, expectedPartitions - (row?.total ?? 0)),
        total: Math.max(expectedPartitions, row?.total ?? 0),
      },
      freshness: freshness.get(asset.key) ?? null,
    };
  });
}
