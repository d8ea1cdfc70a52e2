import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/** Stored partitions of one asset per status, with materialized ones split into fresh and stale code. */
export interface AssetHealthCounts {
  readonly assetKey: string;
  readonly queued: number;
  readonly running: number;
  /** Materialized with the current code version. */
  readonly materialized: number;
  /** Materialized with another code version than the one given. */
  readonly stale: number;
  readonly failed: number;
  /** Rows stored for the asset. */
  readonly total: number;
}

export interface AssetCodeVersion {
  readonly assetKey: string;
  /** The model's current code version. */
  readonly codeVersion: string;
}

/**
 * Per-asset partition counts for a status page, in one grouped pass over the table (100 assets
 * × 3,650 days): `assetStatusCounts` plus materialized partitions whose code version differs
 * from the current one. Grouped by (asset, status, code version) in SQL, a handful of rows per
 * asset, and folded here: cheaper than joining every row with its asset's version. Staleness
 * from re-materialized upstream partitions is left out on purpose: it needs a join of every
 * partition with its upstream's (~10x the cost), so it is decided per asset, over its own
 * partitions, by `partitionStatusString`. Assets without rows are absent.
 */
export async function assetHealthCounts(
  db: StoreDb,
  assets: readonly AssetCodeVersion[],
): Promise<AssetHealthCounts[]> {
  if (assets.length === 0) return [];
  const current = new Map(assets.map((a) => [a.assetKey, a.codeVersion]));
  // No `where asset_key = any($1)`: the planner guesses that a list matches a tenth of the
  // table and takes a bitmap scan, ~3x slower than reading the whole table when the list is
  // the whole project (the usual case). Rows of other assets (a removed model) are dropped here.
  const result = await db.execute<{ asset_key: string; status: string; code_version: string | null; n: number }>(sql`
    select asset_key, status, code_version, count(*)::int as n
    from almanac.asset_partitions
    group by 1, 2, 3`);
  const counts = new Map<string, { -readonly [K in keyof AssetHealthCounts]: AssetHealthCounts[K] }>();
  for (const row of result.rows) {
    if (!current.has(row.asset_key)) continue;
    let entry = counts.get(row.asset_key);
    if (!entry) {
      entry = { assetKey: row.asset_key, queued: 0, running: 0, materialized: 0, stale: 0, failed: 0, total: 0 };
      counts.set(row.asset_key, entry);
    }
    entry.total += row.n;
    if (row.status === "materialized") {
      if (row.code_version === current.get(row.asset_key)) entry.materialized += row.n;
      else entry.stale += row.n;
    } else if (row.status === "queued" || row.status === "running" || row.status === "failed") {
      entry[row.status] += row.n;
    }
  }
  return [...counts.values()];
}
