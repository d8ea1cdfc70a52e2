import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

export interface AssetPartitionKey {
  readonly assetKey: string;
  readonly partitionKey: string;
}

/**
 * Which of `wanted` were never materialized: no stored row, or rows whose runs never succeeded.
 * A partition queued again after an earlier success still holds its data, so it is not listed.
 */
export async function listUnmaterializedPartitions(
  db: StoreDb,
  wanted: readonly AssetPartitionKey[],
): Promise<AssetPartitionKey[]> {
  if (wanted.length === 0) return [];
  const result = await db.execute<{ asset_key: string; partition_key: string }>(sql`
    select w.asset_key, w.partition_key
      from unnest(
        ${sql.param(wanted.map((w) => w.assetKey))}::text[],
        ${sql.param(wanted.map((w) => w.partitionKey))}::text[]
      ) as w(asset_key, partition_key)
      left join almanac.asset_partitions p using (asset_key, partition_key)
     where p.materialized_at is null`);
  return result.rows.map((row) => ({ assetKey: row.asset_key, partitionKey: row.partition_key }));
}
