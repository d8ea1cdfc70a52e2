import { type AlmanacError, isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { type PartitionsDefinition, windowBounds, windowVars } from "@almanac/partitions";
import { relationOf, renderModel } from "@almanac/project";
import { completeStep, finishStep, reclaimWrittenPartitions, storeDb } from "@almanac/store";
import { materialize, relationShape, runHooks } from "@almanac/warehouse";
import { followersOf } from "./automation-targets.js";
import type { EngineContext } from "./engine-context.js";
import { modelRequest } from "./model-request.js";
import { lockAssetPartitions } from "./partition-locks.js";
import { recordStepFailure } from "./record-step-failure.js";
import { type RunEvent, stepLabel, toFailure } from "./run-events.js";
import { checkStepPartitions } from "./step-checks.js";
import { stepTimeoutError, stepTimeoutMs } from "./step-timeout.js";
import { openWarehouseQuery } from "./warehouse-query.js";

/** A step as the store keeps it. */
export interface StepToRun {
  readonly runId: string;
  readonly idx: number;
  readonly assetKey: string;
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
}

export interface StepResult {
  readonly status: "succeeded" | "failed" | "skipped";
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
  readonly warnings: readonly string[];
  /** What the model's render said with `log(…, info=True)`, in order; also among `events`. Default none. */
  readonly logs?: readonly string[];
  /** True when the step had nothing to do (an unchanged view). */
  readonly unchanged?: boolean;
  /** Log events for the run, in order, that are not recorded yet: the caller appends them. */
  readonly events: readonly RunEvent[];
  readonly error?: AlmanacError;
}

/**
 * Runs one model over one chunk of partitions in one warehouse transaction: lock the asset
 * partitions, render with the chunk's window, run the pre-hooks, write, run the post-hooks,
 * and, when store and warehouse are one
 * database, record the partitions as materialized in that same transaction. On any error the
 * transaction rolls back (the table is as it was) and the partitions are recorded as failed.
 * Retryable errors (lost connection, deadlock…) are thrown for the caller to retry.
 *
 * @param keys - the chunk's partition keys (`[""]` for a non-partitioned model)
 */
export async function executeStep(
  ctx: EngineContext,
  step: StepToRun,
  keys: readonly string[],
  partitions: PartitionsDefinition | undefined,
  codeVersion: string,
): Promise<StepResult> {
  const { project, target } = ctx;
  const started = performance.now();
  const window =
    partitions && step.partitionFrom && step.partitionTo
      ? windowBounds(partitions, step.partitionFrom, step.partitionTo)
      : undefined;
  const status = { runId: step.runId, assetKey: step.assetKey, partitionKeys: [...keys] };
  let renderedSql: string | undefined;
  // dbt prints `log(…, info=True)` while it renders; here they become the step's info lines.
  const logs: string[] = [];
  const logEvents = () =>
    logs.map((message): RunEvent => ({ runId: step.runId, stepIdx: step.idx, level: "info", message }));

  const client = await ctx.warehouse.connect();
  const warehouseQuery = openWarehouseQuery(ctx.warehouse);
  let broken: Error | undefined;
  try {
    await client.query("begin");
    // Also bounds the step's later statements: waiting for these locks is not a hang.
    await lockAssetPartitions(client, step.assetKey, keys, stepTimeoutMs(ctx.stepTimeoutMs));
    // Two attempts of one run can execute at once (BullMQ re-delivers a dead worker's job while
    // the reconciler's takeover enqueued a new attempt); the one that waited for the locks must
    // not write again what the other just committed (found by the fault suite).
    if (ctx.sharedTransaction && (await reclaimWrittenPartitions(storeDb(client), status))) {
      const db = storeDb(client);
      await finishStep(db, { runId: step.runId, idx: step.idx, status: "succeeded", rowsWritten: 0, rowsDeleted: 0 });
      await client.query("commit");
      const message = `${stepLabel(step)}: already written by another attempt of this run, not written again`;
      return {
        status: "succeeded",
        rowsWritten: 0,
        rowsDeleted: 0,
        warnings: [],
        unchanged: true,
        events: [{ runId: step.runId, stepIdx: step.idx, level: "warn", message }],
      };
    }
    const relation = relationOf(project, step.assetKey, target);
    const model = project.models.get(step.assetKey);
    const shape = await relationShape(client, relation);
    const kind = shape.kind ?? null;
    const rendered = renderModel(project, step.assetKey, {
      target,
      vars: { ...ctx.vars, ...(window ? windowVars(window) : {}) },
      isIncremental: model?.config.materialized === "incremental" && kind !== null,
      warehouse: warehouseQuery,
      onLog: (message) => logs.push(message),
    });
    warehouseQuery.close();
    renderedSql = rendered.sql;
    // dbt runs a model's hooks in its transaction: a failing hook undoes the partition's write.
    const owner = `model ${step.assetKey}`;
    await runHooks(client, rendered.preHooks, owner);
    // A pre-hook may alter the table: then the warehouse reads its columns again after it.
    const columns = kind === "table" && rendered.preHooks.length === 0 ? shape.columns : undefined;
    const result = await materialize(client, modelRequest(rendered, window, kind, columns));
    await runHooks(client, rendered.postHooks, owner);
    const event = (level: RunEvent["level"], message: string, data?: Record<string, unknown>): RunEvent => ({
      runId: step.runId,
      stepIdx: step.idx,
      level,
      message,
      data,
    });
    const durationMs = Math.round(performance.now() - started);
    const events = [
      ...logEvents(),
      ...result.warnings.map((warning) => event("warn", warning)),
      event(
        "info",
        `${stepLabel(step)}: ${result.rowsWritten} rows written, ${result.rowsDeleted} removed (${durationMs} ms)`,
        { rowsWritten: result.rowsWritten, rowsDeleted: result.rowsDeleted, durationMs },
      ),
    ];
    // Status, step and log lines in the data's transaction: one commit per step, and a step
    // never shows succeeded without its log.
    const recordSuccess = async (db: ReturnType<typeof storeDb>) => {
      await completeStep(db, {
        partitions: { ...status, codeVersion },
        idx: step.idx,
        rowsWritten: result.rowsWritten,
        rowsDeleted: result.rowsDeleted,
        events,
        ...(followersOf(project, step.assetKey).length > 0
          ? { followed: { assetKey: step.assetKey, partitionFrom: step.partitionFrom, partitionTo: step.partitionTo } }
          : {}),
      });
    };
    if (ctx.sharedTransaction) await recordSuccess(storeDb(client));
    await client.query("commit");
    if (!ctx.sharedTransaction) await recordSuccess(storeDb(ctx.store));
    // dbt tests of the model, on the committed partitions; they record verdicts, never throw.
    const checkEvents = await checkStepPartitions(ctx, step, keys, client);
    return {
      status: "succeeded",
      rowsWritten: result.rowsWritten,
      rowsDeleted: result.rowsDeleted,
      warnings: result.warnings,
      logs,
      events: checkEvents,
    };
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    if (isRetryableDatabaseError(error) || (isAlmanacError(error) && error.retryable)) {
      broken ??= error as Error;
      throw error;
    }
    const failure = toFailure(stepTimeoutError(error, ctx.stepTimeoutMs) ?? error, step, renderedSql);
    const failedSql = typeof failure.details.sql === "string" ? failure.details.sql : renderedSql;
    const failed = await recordStepFailure(ctx.store, step, keys, failure, {
      status: "failed",
      renderedSql: failedSql,
    });
    // What the render logged before the SQL failed is often what explains the failure.
    return { ...failed, logs, events: [...logEvents(), ...failed.events] };
  } finally {
    warehouseQuery.close();
    client.release(broken);
  }
}
