import type { AlmanacError } from "@almanac/errors";
import { finishStep, markPartitionsFailed, storeDb } from "@almanac/store";
import type pg from "pg";
import type { StepResult, StepToRun } from "./execute-step.js";

export interface FailureRecord {
  /** `failed` when the step ran and broke; `skipped` when an upstream failure kept it from running. */
  readonly status: "failed" | "skipped";
  /** The SQL the step ran or was about to run, kept on the step for the person who debugs it. */
  readonly renderedSql?: string;
}

/**
 * Records a step that did not succeed: its partitions become `failed` with the error (the data
 * transaction has already rolled back), the step gets the status and error, and one log event
 * says what happened. Written on the store pool, outside any warehouse transaction.
 */
export async function recordStepFailure(
  store: pg.Pool,
  step: StepToRun,
  partitionKeys: readonly string[],
  failure: AlmanacError,
  record: FailureRecord,
): Promise<StepResult> {
  const db = storeDb(store);
  const error = { errorCode: failure.code, errorMessage: failure.message };
  await markPartitionsFailed(db, {
    runId: step.runId,
    assetKey: step.assetKey,
    partitionKeys: [...partitionKeys],
    ...error,
  });
  await finishStep(db, {
    runId: step.runId,
    idx: step.idx,
    status: record.status,
    rowsWritten: 0,
    rowsDeleted: 0,
    renderedSql: record.renderedSql,
    ...error,
  });
  return {
    status: record.status,
    rowsWritten: 0,
    rowsDeleted: 0,
    warnings: [],
    error: failure,
    events: [
      {
        runId: step.runId,
        stepIdx: step.idx,
        level: record.status === "skipped" ? "warn" : "error",
        message: failure.message,
        data: { code: failure.code, ...failure.details },
      },
    ],
  };
}
