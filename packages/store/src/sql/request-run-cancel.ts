import { sql } from "drizzle-orm";
import type { RunStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/**
 * Asks a run to stop. A queued run is canceled at once (with its steps); a running one gets
 * `cancel_requested`, which its worker sees on the next `heartbeatRun` and honours between
 * steps. Returns the run's status after the request (a final status is returned unchanged),
 * or null for an unknown run. Callers release the partitions of a run canceled here with
 * `releaseRunPartitions`.
 */
export async function requestRunCancel(db: StoreDb, runId: string): Promise<RunStatus | null> {
  if (!isUuid(runId)) return null;
  const result = await db.execute<{ status: RunStatus }>(sql`
    with run as (
      update almanac.runs
      set cancel_requested = true,
          status = case when status = 'queued' then 'canceled' else status end,
          finished_at = case when status = 'queued' then now() else finished_at end
      where id = ${runId} and status in ('queued', 'running')
      returning id, status
    ), steps as (
      update almanac.run_steps set status = 'canceled'
      where run_id in (select id from run where status = 'canceled') and status in ('queued', 'running')
    )
    select status from run
    union all
    select status from almanac.runs where id = ${runId} and not exists (select 1 from run)`);
  return result.rows[0]?.status ?? null;
}
