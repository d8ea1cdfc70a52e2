import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface ReleaseRunPartitionsInput {
  readonly runId: string;
  /** Only this asset's partitions. Default: every asset of the run. */
  readonly assetKey?: string;
}

/**
 * Gives back the partitions a canceled or abandoned run still holds as queued or running,
 * restoring what was true before it took them: `failed` when the last outcome was a failure,
 * `materialized` when it was a success, missing (row deleted) when there was none. One
 * statement. Returns the number of partitions released.
 */
export async function releaseRunPartitions(db: StoreDb, input: ReleaseRunPartitionsInput): Promise<number> {
  if (!isUuid(input.runId)) return 0;
  const assetFilter = input.assetKey === undefined ? sql`` : sql`and asset_key = ${input.assetKey}`;
  const result = await db.execute<{ released: number }>(sql`
    with never_done as (
      delete from almanac.asset_partitions
      where run_id = ${input.runId} and status in ('queued', 'running') ${assetFilter}
        and materialized_at is null and failed_at is null
      returning 1
    ), restored as (
      update almanac.asset_partitions
      set status = case when failed_at >= materialized_at or materialized_at is null then 'failed' else 'materialized' end,
          started_at = null, updated_at = now()
      where run_id = ${input.runId} and status in ('queued', 'running') ${assetFilter}
        and (materialized_at is not null or failed_at is not null)
      returning 1
    )
    select ((select count(*) from never_done) + (select count(*) from restored))::int as released`);
  return result.rows[0]?.released ?? 0;
}
