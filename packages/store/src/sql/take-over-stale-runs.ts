import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

export interface TakeOverStaleRunsInput {
  /** Runs whose last heartbeat is older than this instant are presumed dead. */
  readonly staleBefore: Date;
  /** At most this many runs per call. Default 500. */
  readonly limit?: number;
}

/** A run taken away from its silent worker, queued again under a new attempt. */
export interface TakenOverRun {
  readonly runId: string;
  /** The attempt its silent worker held: that worker's heartbeats and `finishRun` are now refused. */
  readonly previousAttempt: number;
  /** The new attempt; enqueue `run.<id>.<attempt>`. */
  readonly attempt: number;
  readonly workerId: string | null;
  readonly heartbeatAt: Date | null;
}

/**
 * Takes over `running` runs whose worker went silent, fenced, in one statement: each run's row
 * is locked (`for update skip locked`, so concurrent reconcilers split the work instead of
 * waiting), its heartbeat re-checked under the lock, and only then is its `attempt` bumped and
 * its status set back to `queued`. A worker that was merely slow finds its attempt superseded
 * at its next `heartbeatRun`/`finishRun` and stops; a heartbeat that commits first keeps the
 * run. Steps and partitions the run had `running` go back to `queued` (the engine resumes
 * after the last succeeded step), and a warning is added to the run's log.
 */
export async function takeOverStaleRuns(db: StoreDb, input: TakeOverStaleRunsInput): Promise<TakenOverRun[]> {
  const staleBefore = input.staleBefore.toISOString();
  const result = await db.execute<{
    id: string;
    previous_attempt: number;
    attempt: number;
    worker_id: string | null;
    heartbeat_at: string | Date | null;
  }>(sql`
    with stale as (
      select id, attempt, worker_id, heartbeat_at from almanac.runs
      where status = 'running'
        and coalesce(heartbeat_at, started_at, created_at) < ${staleBefore}::timestamptz
      order by coalesce(heartbeat_at, started_at, created_at), id
      limit ${input.limit ?? 500}
      for update skip locked
    ), taken as (
      update almanac.runs r
      set status = 'queued', attempt = r.attempt + 1, worker_id = null
      from stale
      where r.id = stale.id and r.attempt = stale.attempt
      returning r.id, stale.attempt as previous_attempt, r.attempt, stale.worker_id, stale.heartbeat_at
    ), steps as (
      update almanac.run_steps set status = 'queued', started_at = null
      where run_id in (select id from taken) and status = 'running'
    ), partitions as (
      update almanac.asset_partitions set status = 'queued', started_at = null, updated_at = now()
      where run_id in (select id from taken) and status = 'running'
    ), events as (
      insert into almanac.run_events (run_id, level, message, data)
      select id, 'warn',
             'no heartbeat from ' || coalesce(worker_id, 'its worker') || ' since ' ||
               coalesce(to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'it started') ||
               ': attempt ' || previous_attempt || ' taken over, queued again as attempt ' || attempt ||
               ' (resumes after the last succeeded step)',
             jsonb_build_object('previousAttempt', previous_attempt, 'attempt', attempt, 'workerId', worker_id)
      from taken
    )
    select * from taken`);
  return result.rows.map((row) => ({
    runId: row.id,
    previousAttempt: row.previous_attempt,
    attempt: row.attempt,
    workerId: row.worker_id,
    heartbeatAt: row.heartbeat_at === null ? null : new Date(row.heartbeat_at),
  }));
}
