import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { type PartitionBatch, partitionKeysRelation } from "./partition-keys.js";

/**
 * For a step about to write `partitionKeys`, under their partition locks: when the run itself
 * already materialized every one of them (`materialized_run_id`), another attempt of the same
 * run committed this very step while this one waited for the locks — a run writes each asset
 * partition in one step only. Then the partitions go back from `running` to `materialized`
 * (count and time unchanged, so they are not counted as written twice) and true is returned:
 * the caller must not write them again. Otherwise nothing changes and false is returned.
 * Call it on the step's transaction, before writing.
 */
export async function reclaimWrittenPartitions(db: StoreDb, batch: PartitionBatch): Promise<boolean> {
  if (batch.partitionKeys.length === 0) return false;
  const keys = partitionKeysRelation(batch.partitionKeys);
  const written = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from almanac.asset_partitions p join ${keys} as keys using (partition_key)
    where p.asset_key = ${batch.assetKey} and p.materialized_run_id = ${batch.runId}::uuid`);
  const expected = new Set(batch.partitionKeys).size;
  if ((written.rows[0]?.n ?? 0) < expected) return false;
  await db.execute(sql`
    update almanac.asset_partitions as p set status = 'materialized', started_at = null, updated_at = now()
    from ${keys} as keys
    where p.asset_key = ${batch.assetKey} and p.partition_key = keys.partition_key and p.run_id = ${batch.runId}::uuid
      and p.status in ('queued', 'running')`);
  return true;
}
