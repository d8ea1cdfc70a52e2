import { sql } from "drizzle-orm";
import type { RunCause, RunTrigger } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** One step of a new run, in execution order. */
export interface NewRunStep {
  readonly assetKey: string;
  /** Inclusive chunk bounds; omit both for a non-partitioned model. */
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
}

export interface CreateRunInput {
  /** The user's selector, as typed. */
  readonly selection: string;
  /** Assets the selection resolved to, upstream first. */
  readonly assetKeys: readonly string[];
  readonly partitionsDef?: string | null;
  /** Inclusive range of the run; omit for a run without partitions. */
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
  readonly trigger: RunTrigger;
  /** Why an `automation` run ran. */
  readonly cause?: RunCause | null;
  readonly backfillId?: string | null;
  /** The planned steps; stored with `idx` 0, 1, … in this order, all `queued`. */
  readonly steps: readonly NewRunStep[];
}

/**
 * Inserts a `queued` run and its steps in one statement, so a run never exists without its
 * steps, even on a connection without a transaction.
 */
export async function createRun(db: StoreDb, input: CreateRunInput): Promise<{ runId: string }> {
  const { steps } = input;
  const result = await db.execute<{ id: string }>(sql`
    with run as (
      insert into almanac.runs
        (selection, asset_keys, partitions_def, partition_from, partition_to, trigger, cause, backfill_id)
      values (
        ${input.selection}, ${sql.param([...input.assetKeys])}::text[], ${input.partitionsDef ?? null},
        ${input.partitionFrom ?? null}, ${input.partitionTo ?? null}, ${input.trigger},
        ${input.cause ? JSON.stringify(input.cause) : null}::jsonb, ${input.backfillId ?? null}::uuid
      )
      returning id
    ), steps as (
      insert into almanac.run_steps (run_id, idx, asset_key, partition_from, partition_to)
      select run.id, step.ordinality - 1, step.asset_key, step.partition_from, step.partition_to
      from run cross join unnest(
        ${sql.param(steps.map((step) => step.assetKey))}::text[],
        ${sql.param(steps.map((step) => step.partitionFrom ?? null))}::text[],
        ${sql.param(steps.map((step) => step.partitionTo ?? null))}::text[]
      ) with ordinality as step(asset_key, partition_from, partition_to, ordinality)
    )
    select id from run`);
  const row = result.rows[0];
  if (!row) throw new Error("insert into almanac.runs returned no row");
  return { runId: row.id };
}
