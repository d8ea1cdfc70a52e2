import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import type { NewRunEvent } from "./append-run-events.js";
import { type AutomationUpdateInput, automationUpdateInsert } from "./automation-updates.js";
import { type MaterializedBatch, materializedUpsert } from "./mark-partitions-materialized.js";

export interface CompleteStepInput {
  /** The step's partitions, marked materialized (fenced, as `markPartitionsMaterialized`). */
  readonly partitions: MaterializedBatch;
  readonly idx: number;
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
  /** Its log lines, appended in order. */
  readonly events: readonly NewRunEvent[];
  /** When an eager asset follows this one: the update recorded for it (`almanac.automation_updates`). */
  readonly followed?: AutomationUpdateInput;
}

/**
 * A succeeded step in one statement: its partitions materialized, the step `succeeded` with its
 * counts, and its log lines — what `markPartitionsMaterialized`, `finishStep` and
 * `appendRunEvents` do, in one round trip instead of three (and, when something follows the
 * asset, the automation update that wakes it). Run it in the step's data
 * transaction, so all of it commits with the data or none does. Returns the partitions marked.
 */
export async function completeStep(db: StoreDb, input: CompleteStepInput): Promise<number> {
  const { partitions, events } = input;
  const result = await db.execute<{ marked: number }>(sql`
    with marked as (${materializedUpsert(partitions)} returning 1),
    step as (
      update almanac.run_steps
      set status = 'succeeded', finished_at = now(), rows_written = ${input.rowsWritten},
          rows_deleted = ${input.rowsDeleted}, rendered_sql = null, error_code = null, error_message = null
      where run_id = ${partitions.runId} and idx = ${input.idx}
      returning 1
    ), logged as (
      insert into almanac.run_events (run_id, step_idx, level, message, data)
      select run_id, step_idx, level, message, data
      from unnest(
        ${sql.param(events.map((e) => e.runId))}::uuid[],
        ${sql.param(events.map((e) => e.stepIdx ?? null))}::int[],
        ${sql.param(events.map((e) => e.level ?? "info"))}::text[],
        ${sql.param(events.map((e) => e.message))}::text[],
        ${sql.param(events.map((e) => (e.data ? JSON.stringify(e.data) : null)))}::jsonb[]
      ) with ordinality as e(run_id, step_idx, level, message, data, n)
      order by n
      returning 1
    )${input.followed ? sql`, followed as (${automationUpdateInsert(input.followed)})` : sql``}
    select count(*)::int as marked from marked`);
  return result.rows[0]?.marked ?? 0;
}
