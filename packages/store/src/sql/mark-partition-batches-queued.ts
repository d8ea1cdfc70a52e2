import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import type { PartitionBatch } from "./partition-keys.js";

/**
 * `markPartitionsQueued` for many runs and assets in one upsert (a backfill's 3,650 runs × 3
 * assets in one round trip): same takeover rules — the row is created or taken over whatever
 * its state, `attempt` bumped, the last success and error kept. An asset partition listed
 * twice goes to the last batch that lists it. Returns the number of partitions queued.
 */
export async function markPartitionBatchesQueued(db: StoreDb, batches: readonly PartitionBatch[]): Promise<number> {
  const runIds: string[] = [];
  const assetKeys: string[] = [];
  const partitionKeys: string[] = [];
  for (const batch of batches) {
    for (const key of batch.partitionKeys) {
      runIds.push(batch.runId);
      assetKeys.push(batch.assetKey);
      partitionKeys.push(key);
    }
  }
  if (runIds.length === 0) return 0;
  const result = await db.execute(sql`
    insert into almanac.asset_partitions as p (asset_key, partition_key, status, run_id, attempt, updated_at)
    select distinct on (asset_key, partition_key) asset_key, partition_key, 'queued', run_id, 1, now()
    from unnest(
      ${sql.param(runIds)}::uuid[], ${sql.param(assetKeys)}::text[], ${sql.param(partitionKeys)}::text[]
    ) with ordinality as q(run_id, asset_key, partition_key, ord)
    order by asset_key, partition_key, ord desc
    on conflict (asset_key, partition_key) do update
    set status = 'queued', run_id = excluded.run_id, attempt = p.attempt + 1, started_at = null, updated_at = now()`);
  return result.rowCount ?? 0;
}
