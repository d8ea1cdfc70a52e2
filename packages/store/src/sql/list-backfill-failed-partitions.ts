import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** An asset partition that is failed, last written by a run of the backfill. */
export interface BackfillFailedPartition {
  readonly assetKey: string;
  /** '' for a non-partitioned asset. */
  readonly partitionKey: string;
}

/**
 * Asset partitions whose current status is `failed` and whose owner is a run of this backfill:
 * what a retry of the backfill redoes. A partition mended since by another run has another
 * owner (or another status) and is left out. Ordered by asset and key.
 */
export async function listBackfillFailedPartitions(
  db: StoreDb,
  backfillId: string,
): Promise<BackfillFailedPartition[]> {
  if (!isUuid(backfillId)) return [];
  const result = await db.execute<{ asset_key: string; partition_key: string }>(sql`
    select p.asset_key, p.partition_key
    from almanac.runs r
    join almanac.asset_partitions p on p.run_id = r.id
    where r.backfill_id = ${backfillId} and p.status = 'failed'
    order by 1, 2`);
  return result.rows.map((row) => ({ assetKey: row.asset_key, partitionKey: row.partition_key }));
}
