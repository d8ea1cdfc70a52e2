import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { type PartitionBatch, partitionKeysRelation } from "./partition-keys.js";

/**
 * Hands partitions to a run as `queued` in one upsert: missing rows are created, existing ones
 * are taken over whatever their state and their `attempt` is bumped. The previous run loses
 * ownership, so its late writes are fenced off. The last success (`materialized_at`,
 * `code_version`) and the last error are kept. Returns the number of partitions queued.
 */
export async function markPartitionsQueued(db: StoreDb, batch: PartitionBatch): Promise<number> {
  if (batch.partitionKeys.length === 0) return 0;
  const result = await db.execute(sql`
    insert into almanac.asset_partitions as p (asset_key, partition_key, status, run_id, attempt, updated_at)
    select ${batch.assetKey}, keys.partition_key, 'queued', ${batch.runId}::uuid, 1, now()
    from ${partitionKeysRelation(batch.partitionKeys)} as keys
    on conflict (asset_key, partition_key) do update
    set status = 'queued', run_id = excluded.run_id, attempt = p.attempt + 1, started_at = null, updated_at = now()`);
  return result.rowCount ?? 0;
}
