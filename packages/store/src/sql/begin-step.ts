import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { partitionKeysRelation } from "./partition-keys.js";
import { isUuid } from "./uuid.js";

export interface BeginStepInput {
  readonly runId: string;
  /** The attempt `startRun` returned: only it may go on. */
  readonly attempt: number;
  readonly idx: number;
  readonly assetKey: string;
  /** The step's partitions ('' for a non-partitioned asset). */
  readonly partitionKeys: readonly string[];
  /** The log line that says the step started. */
  readonly message: string;
}

/**
 * Everything a worker records between two steps, in one statement and so one commit: the run's
 * heartbeat (fenced by attempt), and — unless a cancel was requested — the step `running`, its
 * partitions `running` (fenced by run, as `markPartitionsRunning`) and a "started" event.
 * Four writes used to be four round trips and four durable commits per step; for short steps
 * they cost more than the model's SQL. The commit does not wait for the disk (see the SQL).
 *
 * @returns null when this attempt no longer owns the run (it finished, or the reconciler handed
 *   it to a newer attempt): nothing was written. Otherwise whether a cancel was requested, in
 *   which case only the heartbeat was written.
 */
export async function beginStep(db: StoreDb, input: BeginStepInput): Promise<{ cancelRequested: boolean } | null> {
  if (!isUuid(input.runId)) return null;
  const result = await db.execute<{ cancel_requested: boolean }>(sql`
    with beat as (
      update almanac.runs set heartbeat_at = now()
      where id = ${input.runId} and status = 'running' and attempt = ${input.attempt}
      returning cancel_requested
    ), go as (
      select 1 from beat where not cancel_requested
    ), step as (
      update almanac.run_steps
      set status = 'running', started_at = now(), finished_at = null, error_code = null, error_message = null
      where run_id = ${input.runId} and idx = ${input.idx} and exists (select 1 from go)
      returning idx
    ), partitions as (
      insert into almanac.asset_partitions as p (asset_key, partition_key, status, run_id, attempt, started_at, updated_at)
      select ${input.assetKey}, keys.partition_key, 'running', ${input.runId}::uuid, 1, now(), now()
      from ${partitionKeysRelation(input.partitionKeys)} as keys
      where exists (select 1 from go)
      on conflict (asset_key, partition_key) do update
      set status = 'running', started_at = now(), updated_at = now()
      where p.run_id = excluded.run_id
      returning 1
    ), event as (
      insert into almanac.run_events (run_id, step_idx, level, message)
      select ${input.runId}::uuid, ${input.idx}, 'info', ${input.message}
      where exists (select 1 from go)
      returning 1
    )
    -- Progress, not outcome: this commit need not wait for the WAL flush (set_config with
    -- is_local lasts until the implicit transaction commits). If Postgres crashes before the
    -- flush, the step is simply not shown as started; the step's own commit, which is durable,
    -- flushes this one first, so nothing later can outlive it.
    select cancel_requested from beat where set_config('synchronous_commit', 'off', true) is not null`);
  const row = result.rows[0];
  return row ? { cancelRequested: row.cancel_requested } : null;
}
