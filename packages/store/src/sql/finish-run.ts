import { sql } from "drizzle-orm";
import type { FinalRunStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { outboxInsert } from "./outbox-insert.js";
import { isUuid } from "./uuid.js";

export interface FinishRunInput {
  readonly runId: string;
  readonly status: FinalRunStatus;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
  /** Fencing: when given, only that attempt (from `startRun`) may finish the run. */
  readonly attempt?: number;
  /**
   * Notifications subscribed to `run_failed`: when the run becomes `failed`, one outbox row
   * each is written by the same statement. Default none.
   */
  readonly notify?: readonly string[];
}

/**
 * Moves a queued or running run to a final status and closes its unfinished steps in the same
 * statement (running steps become `failed`, queued ones `skipped`; both `canceled` when the run
 * is canceled), so no step says "running" under a finished run. Returns false when the run was
 * already final, unknown, or owned by another attempt. A failed run writes its `run_failed`
 * notifications (`notify`) in the same statement; a succeeded one writes nothing more.
 */
export async function finishRun(db: StoreDb, input: FinishRunInput): Promise<boolean> {
  if (!isUuid(input.runId)) return false;
  const canceled = input.status === "canceled";
  const runningStepStatus = canceled ? "canceled" : "failed";
  const queuedStepStatus = canceled ? "canceled" : "skipped";
  const result = await db.execute<{ id: string }>(sql`
    with run as (
      update almanac.runs
      set status = ${input.status}, finished_at = now(),
          error_code = ${input.errorCode ?? null}, error_message = ${input.errorMessage ?? null}
      where id = ${input.runId} and status in ('queued', 'running')
        ${input.attempt === undefined ? sql`` : sql`and attempt = ${input.attempt}`}
      returning id, asset_keys, partitions_def, partition_from, partition_to, backfill_id, trigger,
        error_code, error_message
    ), steps as (
      update almanac.run_steps
      set status = case when status = 'running' then ${runningStepStatus} else ${queuedStepStatus} end,
          finished_at = case when status = 'running' then now() else finished_at end
      where run_id in (select id from run) and status in ('queued', 'running')
    )${outboxInsert(
      "outbox",
      input.status === "failed" ? input.notify : undefined,
      "run_failed",
      sql`(select jsonb_build_object(
          'runId', id, 'backfillId', backfill_id, 'trigger', trigger, 'assets', to_jsonb(asset_keys),
          'partitionsDef', partitions_def, 'partitionFrom', partition_from, 'partitionTo', partition_to,
          'error', jsonb_build_object('code', error_code, 'message', error_message)) as payload from run)`,
    )}
    select id from run`);
  return result.rows.length > 0;
}
