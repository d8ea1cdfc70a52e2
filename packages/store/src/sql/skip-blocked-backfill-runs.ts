import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/**
 * Finishes, without running them, the queued runs of a backfill that come in a later wave than
 * a run that failed or was canceled: they would read input that was never (re)built. Like a
 * step skipped after an upstream failure inside one run, each run becomes `failed`, its steps
 * `skipped` and its partitions `failed` with ALMANAC_UPSTREAM_FAILED, so a retry of the
 * backfill picks them up. One statement; returns the number of runs skipped.
 */
export async function skipBlockedBackfillRuns(db: StoreDb, backfillId: string): Promise<number> {
  if (!isUuid(backfillId)) return 0;
  const result = await db.execute<{ skipped: number }>(sql`
    with blocker as (
      select id, status, asset_keys, created_at from almanac.runs
      where backfill_id = ${backfillId} and status in ('failed', 'canceled')
      order by created_at, partition_from nulls first
      limit 1
    ), reason as (
      select 'skipped because run ' || id || ' (' || array_to_string(asset_keys, ', ') || ') of this backfill '
             || status || ' before it' as message, created_at
      from blocker
    ), skipped as (
      update almanac.runs r
      set status = 'failed', finished_at = now(), error_code = 'ALMANAC_UPSTREAM_FAILED', error_message = reason.message
      from reason
      where r.backfill_id = ${backfillId} and r.status = 'queued' and r.created_at > reason.created_at
      returning r.id, reason.message
    ), steps as (
      update almanac.run_steps s
      set status = 'skipped', finished_at = now(), error_code = 'ALMANAC_UPSTREAM_FAILED', error_message = skipped.message
      from skipped
      where s.run_id = skipped.id and s.status = 'queued'
    ), partitions as (
      update almanac.asset_partitions p
      set status = 'failed', failed_at = now(), started_at = null, updated_at = now(),
          error_code = 'ALMANAC_UPSTREAM_FAILED', error_message = skipped.message
      from skipped
      where p.run_id = skipped.id and p.status = 'queued'
    ), events as (
      insert into almanac.run_events (run_id, level, message)
      select id, 'warn', message from skipped
    )
    select count(*)::int as skipped from skipped`);
  return result.rows[0]?.skipped ?? 0;
}
