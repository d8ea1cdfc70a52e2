import type { RunEventRow, RunRow, RunStepRow, RunWithSteps } from "@almanac/store";

/**
 * Store rows as the API shows them: dates as ISO strings, internal bookkeeping (worker id,
 * heartbeat) left out. The response schemas in `schemas/runs.ts` describe these shapes.
 */

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function runSummaryJson(run: RunRow) {
  return {
    id: run.id,
    status: run.status,
    selection: run.selection,
    assetKeys: run.assetKeys,
    partitionsDef: run.partitionsDef,
    partitionFrom: run.partitionFrom,
    partitionTo: run.partitionTo,
    trigger: run.trigger,
    cause: run.cause ? { rule: run.cause.rule, upstream: run.cause.upstream.map((update) => ({ ...update })) } : null,
    backfillId: run.backfillId,
    attempt: run.attempt,
    cancelRequested: run.cancelRequested,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    errorCode: run.errorCode,
    errorMessage: run.errorMessage,
  };
}

export function runJson(run: RunWithSteps) {
  return { ...runSummaryJson(run), steps: run.steps.map(stepJson) };
}

function stepJson(step: RunStepRow) {
  return {
    idx: step.idx,
    assetKey: step.assetKey,
    partitionFrom: step.partitionFrom,
    partitionTo: step.partitionTo,
    status: step.status,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    rowsWritten: step.rowsWritten,
    rowsDeleted: step.rowsDeleted,
    errorCode: step.errorCode,
    errorMessage: step.errorMessage,
    renderedSql: step.renderedSql,
  };
}

export function runEventJson(event: RunEventRow) {
  return {
    id: event.id,
    stepIdx: event.stepIdx,
    level: event.level,
    message: event.message,
    data: event.data,
    createdAt: event.createdAt.toISOString(),
  };
}
