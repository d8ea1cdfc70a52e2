import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { AlmanacError, isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { type PartitionsDefinition, partitionKeysInRange } from "@almanac/partitions";
import { type Project, upstreamOf } from "@almanac/project";
import {
  appendRunEvents,
  finishRun,
  finishStep,
  getRun,
  heartbeatRun,
  markPartitionsFailed,
  markPartitionsRunning,
  releaseRunPartitions,
  type StoreDb,
  startRun,
  startStep,
  storeDb,
} from "@almanac/store";
import { codeVersion } from "./code-version.js";
import type { EngineContext, ExecuteOptions, StepReport } from "./engine-context.js";
import { executeStep, type StepResult, type StepToRun } from "./execute-step.js";
import { type RunEvent, stepLabel } from "./run-events.js";
import { isUnchangedView } from "./unchanged-view.js";

export interface RunResult {
  readonly runId: string;
  readonly status: "succeeded" | "failed" | "canceled";
  readonly steps: readonly StepReport[];
}

/** Attempts for a step that hits a transient database error before it counts as failed. */
const maxAttempts = 3;

/**
 * Executes a recorded run step by step, in the order it was planned. A step whose upstream
 * failed for the same partitions is skipped and its partitions marked failed, never run on
 * stale input; independent steps go on. The run succeeds only if every step did.
 */
export async function executeRun(ctx: EngineContext, runId: string, options: ExecuteOptions = {}): Promise<RunResult> {
  const db = storeDb(ctx.store);
  const run = await getRun(db, runId);
  if (!run) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${runId}`);
  const partitions = run.partitionsDef ? ctx.project.partitions.get(run.partitionsDef) : undefined;
  if (run.partitionsDef && !partitions) {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `run ${runId} is partitioned by "${run.partitionsDef}", which almanac.yml no longer defines`,
    );
  }
  const started = await startRun(db, { runId, workerId: options.workerId ?? `${hostname()}:${process.pid}` });
  if (!started) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `run ${runId} is already finished`);
  const failed = new FailedPartitions();
  const versions = new Map<string, string>();
  const runAssets = new Set(run.steps.map((s) => s.assetKey));
  const reports: StepReport[] = [];

  let canceled = false;
  for (const step of run.steps) {
    // A run picked up again after its worker died resumes after its last committed step.
    if (step.status === "succeeded") continue;
    // Between steps: stop when someone asked to cancel, or another attempt took the run over.
    const beat = await heartbeatRun(db, { runId, attempt: started.attempt });
    if (!beat) {
      // The run finished elsewhere or a newer attempt owns it: that attempt records the outcome.
      throw new AlmanacError("ALMANAC_RUN_TAKEN_OVER", `run ${runId} is no longer owned by attempt ${started.attempt}`);
    }
    if (beat.cancelRequested) {
      canceled = true;
      break;
    }
    const stepStarted = performance.now();
    const stepToRun: StepToRun = { ...step, runId };
    const keys = stepKeys(partitions, step);
    const blocker = upstreamFailure(ctx.project, step.assetKey, keys, runAssets, failed);
    let result: StepResult | { status: "skipped"; error: AlmanacError };
    if (blocker) {
      result = { status: "skipped", error: await skipStep(ctx, stepToRun, keys, blocker) };
    } else {
      let version = versions.get(step.assetKey);
      if (version === undefined) {
        version = codeVersion(ctx.project, step.assetKey, ctx.target, ctx.vars);
        versions.set(step.assetKey, version);
      }
      await startStep(db, { runId, idx: step.idx });
      if (await isUnchangedView(db, ctx.warehouse, ctx.project, ctx.target, step.assetKey, version)) {
        result = await skipUnchangedView(db, stepToRun);
      } else {
        await markPartitionsRunning(db, { runId, assetKey: step.assetKey, partitionKeys: keys });
        result = await executeWithRetries(ctx, stepToRun, partitions, version, keys);
      }
      if (result.events.length > 0) await appendRunEvents(db, [...result.events]);
    }
    if (result.status !== "succeeded") failed.add(step.assetKey, keys);
    const report: StepReport = {
      idx: step.idx,
      total: run.steps.length,
      assetKey: step.assetKey,
      materialized: ctx.project.models.get(step.assetKey)?.config.materialized ?? "unknown",
      partitionFrom: step.partitionFrom ?? undefined,
      partitionTo: step.partitionTo ?? undefined,
      status: result.status,
      rowsWritten: result.status === "succeeded" ? result.rowsWritten : 0,
      rowsDeleted: result.status === "succeeded" ? result.rowsDeleted : 0,
      durationMs: Math.round(performance.now() - stepStarted),
      warnings: result.status === "succeeded" ? result.warnings : [],
      unchanged: result.status === "succeeded" && result.unchanged === true,
      errorCode: result.error?.code,
      errorMessage: result.error?.message,
    };
    reports.push(report);
    if (result.status === "succeeded" && !report.unchanged) {
      await appendRunEvents(db, [finishedEvent(runId, step, report)]);
    }
    await options.onStep?.(report);
  }

  const status = canceled ? "canceled" : failed.isEmpty() ? "succeeded" : "failed";
  const firstError = reports.find((r) => r.errorCode);
  if (canceled) {
    await appendRunEvents(db, [{ runId, level: "warn", message: "canceled: stopped after the last finished step" }]);
  }
  await finishRun(db, {
    runId,
    status,
    attempt: started.attempt,
    errorCode: firstError?.errorCode,
    errorMessage: firstError?.errorMessage,
  });
  // Partitions the run never reached go back to what they were before it queued them.
  if (canceled) await releaseRunPartitions(db, { runId });
  return { runId, status, steps: reports };
}

async function executeWithRetries(
  ctx: EngineContext,
  step: StepToRun,
  partitions: PartitionsDefinition | undefined,
  version: string,
  keys: readonly string[],
): Promise<StepResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await executeStep(ctx, step, partitions, version);
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
      const db = storeDb(ctx.store);
      await markPartitionsFailed(db, {
        runId: step.runId,
        assetKey: step.assetKey,
        partitionKeys: [...keys],
        errorCode: failure.code,
        errorMessage: failure.message,
      });
      await finishStep(db, {
        runId: step.runId,
        idx: step.idx,
        status: "failed",
        rowsWritten: 0,
        rowsDeleted: 0,
        errorCode: failure.code,
        errorMessage: failure.message,
      });
      const events: RunEvent[] = [{ runId: step.runId, stepIdx: step.idx, level: "error", message: failure.message }];
      return { status: "failed", rowsWritten: 0, rowsDeleted: 0, warnings: [], events, error: failure };
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

async function skipStep(
  ctx: EngineContext,
  step: StepToRun,
  keys: readonly string[],
  blocker: string,
): Promise<AlmanacError> {
  const error = new AlmanacError(
    "ALMANAC_UPSTREAM_FAILED",
    `${stepLabel(step)}: skipped because upstream ${blocker} failed in this run`,
    { step: stepLabel(step), upstream: blocker },
  );
  const db = storeDb(ctx.store);
  await markPartitionsFailed(db, {
    runId: step.runId,
    assetKey: step.assetKey,
    partitionKeys: [...keys],
    errorCode: error.code,
    errorMessage: error.message,
  });
  await finishStep(db, {
    runId: step.runId,
    idx: step.idx,
    status: "skipped",
    rowsWritten: 0,
    rowsDeleted: 0,
    errorCode: error.code,
    errorMessage: error.message,
  });
  await appendRunEvents(db, [{ runId: step.runId, stepIdx: step.idx, level: "warn", message: error.message }]);
  return error;
}

function finishedEvent(
  runId: string,
  step: StepToRun | { idx: number; assetKey: string },
  report: StepReport,
): RunEvent {
  return {
    runId,
    stepIdx: step.idx,
    level: "info",
    message: `${stepLabel(report)}: ${report.rowsWritten} rows written, ${report.rowsDeleted} removed (${report.durationMs} ms)`,
    data: { rowsWritten: report.rowsWritten, rowsDeleted: report.rowsDeleted, durationMs: report.durationMs },
  };
}

function stepKeys(
  partitions: PartitionsDefinition | undefined,
  step: { partitionFrom?: string | null; partitionTo?: string | null },
): string[] {
  if (!partitions || !step.partitionFrom || !step.partitionTo) return [""];
  return partitionKeysInRange(partitions, step.partitionFrom, step.partitionTo);
}

/** Which (asset, partition) pairs failed or were skipped so far in this run. */
class FailedPartitions {
  readonly #byAsset = new Map<string, Set<string>>();

  add(assetKey: string, keys: readonly string[]): void {
    const set = this.#byAsset.get(assetKey) ?? new Set<string>();
    for (const key of keys) set.add(key);
    this.#byAsset.set(assetKey, set);
  }

  /** The first failed key of `assetKey` among `keys`; any key when the asset is not partitioned. */
  failedKey(assetKey: string, keys: readonly string[]): string | undefined {
    const set = this.#byAsset.get(assetKey);
    if (!set) return undefined;
    if (set.has("")) return "";
    // A non-partitioned model reads every partition of its upstream: any failure blocks it.
    if (keys.length === 1 && keys[0] === "") return set.values().next().value;
    return keys.find((key) => set.has(key));
  }

  isEmpty(): boolean {
    return this.#byAsset.size === 0;
  }
}

/**
 * `asset [key]` of the first upstream model in this run that failed for one of `keys` (or
 * failed outright, when it is not partitioned); undefined when nothing upstream failed.
 */
function upstreamFailure(
  project: Project,
  assetKey: string,
  keys: readonly string[],
  runAssets: ReadonlySet<string>,
  failed: FailedPartitions,
): string | undefined {
  const seen = new Set<string>();
  const stack = [...upstreamOf(project, assetKey)];
  while (stack.length > 0) {
    const upstream = stack.pop() as string;
    if (seen.has(upstream)) continue;
    seen.add(upstream);
    if (runAssets.has(upstream)) {
      const key = failed.failedKey(upstream, keys);
      if (key !== undefined) return key === "" ? upstream : `${upstream} [${key}]`;
    }
    stack.push(...upstreamOf(project, upstream));
  }
  return undefined;
}
