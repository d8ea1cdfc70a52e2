import { sql } from "drizzle-orm";
import type { PartitionStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** The stored status of one asset partition, and when it last materialized. */
export interface KeyedPartitionStatus {
  readonly assetKey: string;
  readonly partitionKey: string;
  readonly status: PartitionStatus;
  readonly materializedAt: Date | null;
}

/**
 * The stored rows of the given (asset, partition) pairs, in one indexed lookup; a missing
 * partition has no row. Freshness asks for each asset's latest partition this way.
 */
export async function partitionStatusesOf(
  db: StoreDb,
  pairs: readonly { readonly assetKey: string; readonly partitionKey: string }[],
): Promise<KeyedPartitionStatus[]> {
  if (pairs.length === 0) return [];
  const result = await db.execute<{
    asset_key: string;
    partition_key: string;
    status: PartitionStatus;
    materialized_at: string | Date | null;
  }>(sql`
    select p.asset_key, p.partition_key, p.status, p.materialized_at
    from unnest(${sql.param(pairs.map((pair) => pair.assetKey))}::text[],
                ${sql.param(pairs.map((pair) => pair.partitionKey))}::text[]) as k(asset_key, partition_key)
    join almanac.asset_partitions p using (asset_key, partition_key)`);
  return result.rows.map((row) => ({
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    status: row.status,
    materializedAt: row.materialized_at === null ? null : new Date(row.materialized_at),
  }));
}
