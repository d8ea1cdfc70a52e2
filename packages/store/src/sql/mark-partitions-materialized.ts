import { type SQL, sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { type PartitionBatch, partitionKeysRelation } from "./partition-keys.js";

export interface MaterializedBatch extends PartitionBatch {
  /** Hash of the rendered SQL that produced the data. */
  readonly codeVersion: string;
}

/**
 * Records a successful materialization in one upsert: status `materialized`, `materialized_at`
 * now (the transaction's start), `code_version`, `materialization_count` + 1, error cleared.
 * Fenced: only partitions this run owns (or that nobody holds) change. Call it on the
 * connection that wrote the data, inside the same transaction, and roll back when it returns
 * fewer than expected: status never claims data that did not commit, and a late run never
 * overwrites a newer one. Returns the number of partitions marked.
 */
export async function markPartitionsMaterialized(db: StoreDb, batch: MaterializedBatch): Promise<number> {
  if (batch.partitionKeys.length === 0) return 0;
  const result = await db.execute(materializedUpsert(batch));
  return result.rowCount ?? 0;
}

/** The upsert of {@link markPartitionsMaterialized}, for statements that do more in the same round trip. */
export function materializedUpsert(batch: MaterializedBatch): SQL {
  return sql`
    insert into almanac.asset_partitions as p (
      asset_key, partition_key, status, run_id, attempt, code_version,
      materialized_at, materialized_run_id, materialization_count, updated_at
    )
    select ${batch.assetKey}, keys.partition_key, 'materialized', ${batch.runId}::uuid, 1, ${batch.codeVersion},
      now(), ${batch.runId}::uuid, 1, now()
    from ${partitionKeysRelation(batch.partitionKeys)} as keys
    on conflict (asset_key, partition_key) do update
    set status = 'materialized', code_version = excluded.code_version, materialized_at = now(),
        materialized_run_id = excluded.run_id, materialization_count = p.materialization_count + 1,
        updated_at = now(), failed_at = null, error_code = null, error_message = null
    where p.run_id = excluded.run_id`;
}
