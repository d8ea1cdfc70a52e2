import { sql } from "drizzle-orm";
import type { RunTrigger } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import type { NewRunStep } from "./create-run.js";

/** One run of a batch, with the id the caller chose for it. */
export interface NewRunRecord {
  /**
   * Chosen by the caller (`crypto.randomUUID()`), so that the runs, their steps and their
   * partitions can all be written set-based without reading ids back.
   */
  readonly id: string;
  /** The user's selector, as typed. */
  readonly selection: string;
  /** Assets the run writes, upstream first. */
  readonly assetKeys: readonly string[];
  readonly partitionsDef?: string | null;
  /** Inclusive range of the run; omit for a run without partitions. */
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
  readonly trigger: RunTrigger;
  readonly backfillId?: string | null;
  /**
   * The run's wave within its backfill (default 0). A run starts only once every run of the
   * backfill in an earlier wave has succeeded. The wave is kept in `created_at`: the
   * transaction's `now()` plus `wave` microseconds, so runs of one wave share one instant and
   * "earlier wave" is "created earlier" — with no column of its own (see `readyBackfillRuns`).
   */
  readonly wave?: number;
  /** The planned steps; stored with `idx` 0, 1, … in this order, all `queued`. */
  readonly steps: readonly NewRunStep[];
}

/**
 * Inserts many `queued` runs with their steps in one statement: the runs as one JSON parameter
 * (each has an array of asset keys, which `unnest` cannot carry), the steps as five arrays, so
 * 3,650 runs and 11,000 steps cost one round trip and stay far below Postgres's 65,535-parameter
 * limit. Returns the number of runs inserted.
 */
export async function createRuns(db: StoreDb, runs: readonly NewRunRecord[]): Promise<number> {
  if (runs.length === 0) return 0;
  const runRows = runs.map((run) => ({
    id: run.id,
    wave: run.wave ?? 0,
    selection: run.selection,
    asset_keys: run.assetKeys,
    partitions_def: run.partitionsDef ?? null,
    partition_from: run.partitionFrom ?? null,
    partition_to: run.partitionTo ?? null,
    trigger: run.trigger,
    backfill_id: run.backfillId ?? null,
  }));
  // Steps as parallel arrays: unnest reads them faster than JSON, and they hold no arrays of their own.
  const steps = {
    runIds: [] as string[],
    idx: [] as number[],
    assets: [] as string[],
    from: [] as (string | null)[],
    to: [] as (string | null)[],
  };
  for (const run of runs) {
    run.steps.forEach((step, idx) => {
      steps.runIds.push(run.id);
      steps.idx.push(idx);
      steps.assets.push(step.assetKey);
      steps.from.push(step.partitionFrom ?? null);
      steps.to.push(step.partitionTo ?? null);
    });
  }
  const result = await db.execute<{ runs: number }>(sql`
    with new_runs as (
      insert into almanac.runs
        (id, selection, asset_keys, partitions_def, partition_from, partition_to, trigger, backfill_id, created_at)
      select id, selection, asset_keys, partitions_def, partition_from, partition_to, trigger, backfill_id,
             now() + wave * interval '1 microsecond'
      from jsonb_to_recordset(${JSON.stringify(runRows)}::jsonb) as r(
        id uuid, wave int, selection text, asset_keys text[], partitions_def text, partition_from text,
        partition_to text, trigger text, backfill_id uuid)
      returning 1
    ), new_steps as (
      insert into almanac.run_steps (run_id, idx, asset_key, partition_from, partition_to)
      select * from unnest(
        ${sql.param(steps.runIds)}::uuid[], ${sql.param(steps.idx)}::int[], ${sql.param(steps.assets)}::text[],
        ${sql.param(steps.from)}::text[], ${sql.param(steps.to)}::text[])
    )
    select count(*)::int as runs from new_runs`);
  return result.rows[0]?.runs ?? 0;
}
