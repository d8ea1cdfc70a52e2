import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { type PartitionBatch, partitionKeysRelation } from "./partition-keys.js";

/**
 * Marks the run's partitions `running` in one upsert. Fenced: a partition another run took over
 * is left alone; a partition nobody holds is created for this run. Returns how many are now
 * running for this run (fewer than asked means another run owns the rest).
 */
export async function markPartitionsRunning(db: StoreDb, batch: PartitionBatch): Promise<number> {
  if (batch.partitionKeys.length === 0) return 0;
  const result = await db.execute(sql`
    insert into almanac.asset_partitions as p (asset_key, partition_key, status, run_id, attempt, started_at, updated_at)
    select ${batch.assetKey}, keys.partition_key, 'running', ${batch.runId}::uuid, 1, now(), now()
    from ${partitionKeysRelation(batch.partitionKeys)} as keys
    on conflict (asset_key, partition_key) do update
    set status = 'running', started_at = now(), updated_at = now()
    where p.run_id = excluded.run_id`);
  return result.rowCount ?? 0;
}
