import { assetStatusCounts, storeDb } from "@almanac/store";
import { type AssetDescription, describeAssets } from "./asset-description.js";
import { type AssetFreshness, assetFreshness } from "./asset-freshness.js";
import type { EngineContext } from "./engine-context.js";

/** One asset as `GET /api/assets` shows it (DESIGN §5). */
export interface AssetSummary extends Omit<AssetDescription, "expectedPartitions"> {
  readonly counts: {
    readonly materialized: number;
    readonly failed: number;
    readonly running: number;
    readonly queued: number;
    readonly missing: number;
  };
  /** Its almanac.yml `freshness:` standing at `now`; null without a policy. */
  readonly freshness: AssetFreshness | null;
}

/**
 * Every materialized asset of the project (ephemeral models are inlined, never stored) with
 * its partition counts per status, in DAG order. One grouped store query for all assets;
 * `missing` is the definition's partition count up to the last partition at `now`, minus
 * what is stored (1 − stored for a non-partitioned asset).
 */
export async function assetSummaries(ctx: EngineContext, now: Date, only?: string): Promise<AssetSummary[]> {
  const assets = describeAssets(ctx.project, now, only);
  const stored = new Map(
    (await assetStatusCounts(storeDb(ctx.store), { assetKeys: assets.map((a) => a.key) })).map((row) => [
      row.assetKey,
      row,
    ]),
  );
  const freshness = new Map((await assetFreshness(ctx, now, only)).map((entry) => [entry.assetKey, entry]));
  return assets.map(({ expectedPartitions, ...asset }): AssetSummary => {
    const row = stored.get(asset.key);
    return {
      ...asset,
      counts: {
        materialized: row?.materialized ?? 0,
        failed: row?.failed ?? 0,
        running: row?.running ?? 0,
        queued: row?.queued ?? 0,
        missing: Math.max(0, expectedPartitions - (row?.total ?? 0)),
      },
      freshness: freshness.get(asset.key) ?? null,
    };
  });
}
