import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { type PartitionBatch, partitionKeysRelation } from "./partition-keys.js";

export interface FailedBatch extends PartitionBatch {
  readonly errorCode: string;
  readonly errorMessage: string;
}

/**
 * Marks the run's partitions `failed` in one upsert, with the error. Fenced like
 * `markPartitionsMaterialized`. The last success (`materialized_at`, `code_version`) is kept:
 * a partition that had data still has it. Returns the number of partitions marked.
 */
export async function markPartitionsFailed(db: StoreDb, batch: FailedBatch): Promise<number> {
  if (batch.partitionKeys.length === 0) return 0;
  const result = await db.execute(sql`
    insert into almanac.asset_partitions as p (
      asset_key, partition_key, status, run_id, attempt, failed_at, updated_at, error_code, error_message
    )
    select ${batch.assetKey}, keys.partition_key, 'failed', ${batch.runId}::uuid, 1, now(), now(),
      ${batch.errorCode}, ${batch.errorMessage}
    from ${partitionKeysRelation(batch.partitionKeys)} as keys
    on conflict (asset_key, partition_key) do update
    set status = 'failed', failed_at = now(), updated_at = now(),
        error_code = excluded.error_code, error_message = excluded.error_message
    where p.run_id = excluded.run_id`);
  return result.rowCount ?? 0;
}
