import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { AlmanacError, isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { type PartitionsDefinition, partitionKeysInRange } from "@almanac/partitions";
import { partitionsOf, subscribersOf } from "@almanac/project";
import {
  appendRunEvents,
  beginStep,
  finishRun,
  finishStep,
  getRun,
  heartbeatRun,
  releaseRunPartitions,
  type StoreDb,
  startRun,
  storeDb,
} from "@almanac/store";
import { codeVersion } from "./code-version.js";
import type { EngineContext, ExecuteOptions, StepReport } from "./engine-context.js";
import { executeSeedStep } from "./execute-seed-step.js";
import { executeStep, type StepResult, type StepToRun } from "./execute-step.js";
import { missingUpstreamEvents } from "./missing-upstream.js";
import { runProjectHooks } from "./project-run-hooks.js";
import { recordStepFailure } from "./record-step-failure.js";
import { stepLabel } from "./run-events.js";
import { beatDuringStep } from "./run-heartbeat.js";
import { inRunSpan, inStepSpan } from "./run-spans.js";
import { isUnchangedView } from "./unchanged-view.js";
import { FailedPartitions, upstreamFailure } from "./upstream-failures.js";

export interface RunResult {
  readonly runId: string;
  readonly status: "succeeded" | "failed" | "canceled";
  readonly steps: readonly StepReport[];
}

/**
 * Attempts for a step that hits a transient database error before it counts as failed. With
 * the backoff below (0.5, 1, 2, 4 s) they span about 7.5 s: three connection kills 1 s apart
 * (fault scenario 4a) used to hit all three attempts of one step when they spanned 1.5 s.
 */
const maxAttempts = 5;

/** What the steps of one run share while it executes. */
interface RunState {
  readonly runAssets: ReadonlySet<string>;
  readonly failed: FailedPartitions;
  /** Code version per model, computed once per run. */
  readonly versions: Map<string, string>;
}

/**
 * Executes a recorded run step by step, in the order it was planned. Between steps it checks
 * for a cancel request. A step whose upstream failed for the same partitions is skipped and
 * its partitions marked failed, never run on stale input; independent steps go on. The run
 * succeeds only if every step did.
 */
export function executeRun(ctx: EngineContext, runId: string, options: ExecuteOptions = {}): Promise<RunResult> {
  return inRunSpan(runId, () => executeRecordedRun(ctx, runId, options));
}

async function executeRecordedRun(ctx: EngineContext, runId: string, options: ExecuteOptions): Promise<RunResult> {
  const db = storeDb(ctx.store);
  const run = await getRun(db, runId);
  if (!run) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${runId}`);
  if (run.partitionsDef && !ctx.project.partitions.has(run.partitionsDef)) {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `run ${runId} is partitioned by "${run.partitionsDef}", which almanac.yml no longer defines`,
    );
  }
  const started = await startRun(db, { runId, workerId: options.workerId ?? `${hostname()}:${process.pid}` });
  if (!started) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `run ${runId} is already finished`);
  const state: RunState = {
    runAssets: new Set(run.steps.map((s) => s.assetKey)),
    failed: new FailedPartitions(),
    versions: new Map(),
  };
  const reports: StepReport[] = [];
  let canceled = false;
  // Once per attempt, before its first step: a run resumed by another worker runs it again (as
  // `dbt retry` does), so on-run-start hooks must be safe to repeat (`create … if not exists`).
  const runStart = await runProjectHooks(ctx, runId, "on-run-start", state.runAssets);
  if (runStart.events.length > 0) await appendRunEvents(db, [...runStart.events]);
  // A seed's step has no partition keys: it loads the whole seed.
  const pending = run.steps
    .filter((step) => step.status !== "succeeded")
    .map((step) => ({
      ...step,
      keys: isSeed(ctx, step.assetKey) ? [] : stepKeys(partitionsOf(ctx.project, step.assetKey), step),
    }));
  const missing = await missingUpstreamEvents(
    db,
    ctx.project,
    runId,
    pending.filter((step) => !isSeed(ctx, step.assetKey)),
  );
  if (missing.length > 0) await appendRunEvents(db, missing);

  // A run picked up again after its worker died resumes after its last committed step.
  for (const { keys, ...step } of pending) {
    if (runStart.error !== undefined) {
      // dbt skips every node when on-run-start fails; the partitions say why.
      const stepToRun: StepToRun = { ...step, runId };
      const skipped = new AlmanacError(
        runStart.error.code,
        `${stepLabel(stepToRun)}: skipped because ${runStart.error.message}`,
        { ...runStart.error.details, step: stepLabel(stepToRun) },
      );
      // As between steps: a newer attempt that owns the run records the outcome, not this one.
      if (!(await heartbeatRun(db, { runId, attempt: started.attempt }))) {
        throw new AlmanacError(
          "ALMANAC_RUN_TAKEN_OVER",
          `run ${runId} is no longer owned by attempt ${started.attempt}`,
        );
      }
      const result = await recordStepFailure(ctx.store, stepToRun, keys, skipped, { status: "skipped" });
      await appendRunEvents(db, [...result.events]);
      state.failed.add(step.assetKey, keys);
      const report = stepReport(ctx, run.steps.length, step, result, 0);
      reports.push(report);
      await options.onStep?.(report);
      continue;
    }
    const stepStarted = performance.now();
    const stepToRun: StepToRun = { ...step, runId };
    const result = await inStepSpan(stepToRun, keys, () => runStep(ctx, db, stepToRun, keys, state, started.attempt));
    if (result === "canceled") {
      canceled = true;
      break;
    }
    if (result.events.length > 0) await appendRunEvents(db, [...result.events]);
    if (result.status !== "succeeded") state.failed.add(step.assetKey, keys);
    const report = stepReport(ctx, run.steps.length, step, result, Math.round(performance.now() - stepStarted));
    reports.push(report);
    await options.onStep?.(report);
  }

  if (canceled) {
    await appendRunEvents(db, [{ runId, level: "warn", message: "canceled: stopped after the last finished step" }]);
  }
  // After the last step, whatever the steps did (dbt runs on-run-end after failures too).
  const runEnd = await runProjectHooks(ctx, runId, "on-run-end", state.runAssets, reports);
  if (runEnd.events.length > 0) await appendRunEvents(db, [...runEnd.events]);
  const hookFailed = runStart.error !== undefined || runEnd.error !== undefined;
  const status = canceled ? "canceled" : state.failed.isEmpty() && !hookFailed ? "succeeded" : "failed";
  const firstError = [runStart.error, ...reports.map(errorOfReport), runEnd.error].find((e) => e !== undefined);
  await finishRun(db, {
    runId,
    status,
    attempt: started.attempt,
    errorCode: firstError?.code,
    errorMessage: firstError?.message,
    // Only a failure writes to the outbox (in finishRun's statement); success pays nothing.
    notify: status === "failed" ? subscribersOf(ctx.project.notifications ?? [], "run_failed") : undefined,
  });
  // Partitions the run never reached go back to what they were before it queued them.
  if (canceled) await releaseRunPartitions(db, { runId });
  return { runId, status, steps: reports };
}

function stepReport(
  ctx: EngineContext,
  total: number,
  step: { idx: number; assetKey: string; partitionFrom?: string | null; partitionTo?: string | null },
  result: StepResult,
  durationMs: number,
): StepReport {
  return {
    idx: step.idx,
    total,
    assetKey: step.assetKey,
    materialized: isSeed(ctx, step.assetKey)
      ? "seed"
      : (ctx.project.models.get(step.assetKey)?.config.materialized ?? "unknown"),
    partitionFrom: step.partitionFrom ?? undefined,
    partitionTo: step.partitionTo ?? undefined,
    status: result.status,
    rowsWritten: result.rowsWritten,
    rowsDeleted: result.rowsDeleted,
    durationMs,
    warnings: result.warnings,
    logs: result.logs ?? [],
    unchanged: result.unchanged === true,
    errorCode: result.error?.code,
    errorMessage: result.error?.message,
  };
}

function errorOfReport(report: StepReport): { code: string; message: string } | undefined {
  return report.errorCode === undefined ? undefined : { code: report.errorCode, message: report.errorMessage ?? "" };
}

function isSeed(ctx: EngineContext, assetKey: string): boolean {
  return ctx.project.seeds.has(assetKey);
}

/** Whether the model has pre- or post-hooks, which must run on every build. */
function hasHooks(ctx: EngineContext, assetKey: string): boolean {
  const config = ctx.project.models.get(assetKey)?.config;
  return (config?.pre_hook?.length ?? 0) + (config?.post_hook?.length ?? 0) > 0;
}

/**
 * One step: skipped after an upstream failure, left alone when an unchanged view, else run.
 * First, between steps, the run's heartbeat says whether to stop: someone asked to cancel
 * (`"canceled"`), or another attempt took the run over (thrown).
 */
async function runStep(
  ctx: EngineContext,
  db: StoreDb,
  step: StepToRun,
  keys: readonly string[],
  state: RunState,
  attempt: number,
): Promise<StepResult | "canceled"> {
  const blocker = upstreamFailure(ctx.project, step.assetKey, keys, state.runAssets, state.failed);
  const beat = blocker
    ? await heartbeatRun(db, { runId: step.runId, attempt })
    : await beginStep(db, {
        runId: step.runId,
        attempt,
        idx: step.idx,
        assetKey: step.assetKey,
        partitionKeys: keys,
        message: `${stepLabel(step)}: started`,
      });
  if (!beat) {
    // The run finished elsewhere or a newer attempt owns it: that attempt records the outcome.
    throw new AlmanacError("ALMANAC_RUN_TAKEN_OVER", `run ${step.runId} is no longer owned by attempt ${attempt}`);
  }
  if (beat.cancelRequested) return "canceled";
  if (blocker) {
    const error = new AlmanacError(
      "ALMANAC_UPSTREAM_FAILED",
      `${stepLabel(step)}: skipped because upstream ${blocker} failed in this run`,
      { step: stepLabel(step), upstream: blocker },
    );
    return recordStepFailure(ctx.store, step, keys, error, { status: "skipped" });
  }
  if (isSeed(ctx, step.assetKey)) {
    const stopBeating = beatDuringStep(db, { runId: step.runId, attempt });
    return executeWithRetries(ctx, step, [], () => executeSeedStep(ctx, step)).finally(stopBeating);
  }
  const version = state.versions.get(step.assetKey) ?? codeVersion(ctx.project, step.assetKey, ctx.target, ctx.vars);
  state.versions.set(step.assetKey, version);
  // A view with hooks is rebuilt like dbt does: its hooks are the reason to run it.
  if (
    !hasHooks(ctx, step.assetKey) &&
    (await isUnchangedView(db, ctx.warehouse, ctx.project, ctx.target, step.assetKey, version))
  ) {
    return skipUnchangedView(db, step);
  }
  // Steps can outlast the reconciler's staleness bound; keep the run visibly alive meanwhile.
  const stopBeating = beatDuringStep(db, { runId: step.runId, attempt });
  const partitions = partitionsOf(ctx.project, step.assetKey);
  const execute = () => executeStep(ctx, step, keys, partitions, version);
  return executeWithRetries(ctx, step, keys, execute).finally(stopBeating);
}

/** Runs `execute` (one step), again after a transient database error, up to `maxAttempts`. */
async function executeWithRetries(
  ctx: EngineContext,
  step: StepToRun,
  keys: readonly string[],
  execute: () => Promise<StepResult>,
): Promise<StepResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await execute();
    } catch (error) {
      const transient = isRetryableDatabaseError(error) || (isAlmanacError(error) && error.retryable);
      if (transient && attempt < maxAttempts) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      const failure = new AlmanacError(
        "ALMANAC_TRANSIENT_DB_ERROR",
        `${stepLabel(step)}: database unavailable after ${attempt} attempts: ${message}`,
        { step: stepLabel(step) },
        { cause: error },
      );
      return recordStepFailure(ctx.store, step, keys, failure, { status: "failed" });
    }
  }
}

/** Leaves an unchanged view as it is: its status goes back to materialized, its time unchanged. */
async function skipUnchangedView(db: StoreDb, step: StepToRun): Promise<StepResult> {
  await releaseRunPartitions(db, { runId: step.runId, assetKey: step.assetKey });
  await finishStep(db, { runId: step.runId, idx: step.idx, status: "succeeded", rowsWritten: 0, rowsDeleted: 0 });
  const message = `${step.assetKey}: view unchanged since its last build, not rebuilt`;
  return {
    status: "succeeded",
    rowsWritten: 0,
    rowsDeleted: 0,
    warnings: [],
    unchanged: true,
    events: [{ runId: step.runId, stepIdx: step.idx, level: "info", message }],
  };
}

function stepKeys(
  partitions: PartitionsDefinition | undefined,
  step: { partitionFrom?: string | null; partitionTo?: string | null },
): string[] {
  if (!partitions || !step.partitionFrom || !step.partitionTo) return [""];
  return partitionKeysInRange(partitions, step.partitionFrom, step.partitionTo);
}
