import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** What canceling a backfill's runs did. */
export interface CanceledBackfillRuns {
  /** Queued runs canceled at once, their partitions given back. */
  readonly canceled: number;
  /** Running runs asked to stop after their current step (their worker releases the rest). */
  readonly stopping: number;
}

/**
 * `requestRunCancel` + `releaseRunPartitions` for every unfinished run of a backfill, in one
 * statement however many runs it has: queued runs (and their steps) become `canceled` and their
 * partitions go back to what they were before (failed, materialized, or missing); running runs
 * get `cancel_requested`, which their worker honours between steps.
 */
export async function cancelBackfillRuns(db: StoreDb, backfillId: string): Promise<CanceledBackfillRuns> {
  if (!isUuid(backfillId)) return { canceled: 0, stopping: 0 };
  const result = await db.execute<{ canceled: number; stopping: number }>(sql`
    with run as (
      update almanac.runs
      set cancel_requested = true,
          status = case when status = 'queued' then 'canceled' else status end,
          finished_at = case when status = 'queued' then now() else finished_at end
      where backfill_id = ${backfillId} and status in ('queued', 'running')
      returning id, status
    ), canceled as (
      select id from run where status = 'canceled'
    ), steps as (
      update almanac.run_steps set status = 'canceled'
      where run_id in (select id from canceled) and status in ('queued', 'running')
    ), never_done as (
      delete from almanac.asset_partitions
      where run_id in (select id from canceled) and status in ('queued', 'running')
        and materialized_at is null and failed_at is null
    ), restored as (
      update almanac.asset_partitions
      set status = case when failed_at >= materialized_at or materialized_at is null then 'failed' else 'materialized' end,
          started_at = null, updated_at = now()
      where run_id in (select id from canceled) and status in ('queued', 'running')
        and (materialized_at is not null or failed_at is not null)
    )
    select (count(*) filter (where status = 'canceled'))::int as canceled,
           (count(*) filter (where status = 'running'))::int as stopping
    from run`);
  return result.rows[0] ?? { canceled: 0, stopping: 0 };
}
