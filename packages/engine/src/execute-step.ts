import { type AlmanacError, isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { type PartitionsDefinition, partitionKeysInRange, windowBounds, windowVars } from "@almanac/partitions";
import { relationOf, renderModel } from "@almanac/project";
import { finishStep, markPartitionsFailed, markPartitionsMaterialized, storeDb } from "@almanac/store";
import { materialize, relationExists } from "@almanac/warehouse";
import type { EngineContext } from "./engine-context.js";
import { modelRequest } from "./model-request.js";
import { lockAssetPartitions } from "./partition-locks.js";
import { type RunEvent, toFailure } from "./run-events.js";

/** A step as the store keeps it. */
export interface StepToRun {
  readonly runId: string;
  readonly idx: number;
  readonly assetKey: string;
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
}

export interface StepResult {
  readonly status: "succeeded" | "failed";
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
  readonly warnings: readonly string[];
  /** True when the step had nothing to do (an unchanged view). */
  readonly unchanged?: boolean;
  readonly events: readonly RunEvent[];
  readonly error?: AlmanacError;
  readonly renderedSql?: string;
}

/**
 * Runs one model over one chunk of partitions in one warehouse transaction: lock the asset
 * partitions, render with the chunk's window, write, and, when store and warehouse are one
 * database, record the partitions as materialized in that same transaction. On any error the
 * transaction rolls back (the table is as it was) and the partitions are recorded as failed.
 * Retryable errors (lost connection, deadlock…) are thrown for the caller to retry.
 */
export async function executeStep(
  ctx: EngineContext,
  step: StepToRun,
  partitions: PartitionsDefinition | undefined,
  codeVersion: string,
): Promise<StepResult> {
  const { project, target } = ctx;
  const window =
    partitions && step.partitionFrom && step.partitionTo
      ? windowBounds(partitions, step.partitionFrom, step.partitionTo)
      : undefined;
  const keys =
    partitions && step.partitionFrom && step.partitionTo
      ? partitionKeysInRange(partitions, step.partitionFrom, step.partitionTo)
      : [""];
  const status = { runId: step.runId, assetKey: step.assetKey, partitionKeys: keys };
  let renderedSql: string | undefined;

  const client = await ctx.warehouse.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    await lockAssetPartitions(client, step.assetKey, keys);
    const relation = relationOf(project, step.assetKey, target);
    const model = project.models.get(step.assetKey);
    const exists = await relationExists(client, relation);
    const rendered = renderModel(project, step.assetKey, {
      target,
      vars: { ...ctx.vars, ...(window ? windowVars(window) : {}) },
      isIncremental: model?.config.materialized === "incremental" && exists,
    });
    renderedSql = rendered.sql;
    const result = await materialize(client, modelRequest(rendered, window));
    const finished = {
      runId: step.runId,
      idx: step.idx,
      status: "succeeded" as const,
      rowsWritten: result.rowsWritten,
      rowsDeleted: result.rowsDeleted,
    };
    if (ctx.sharedTransaction) {
      const db = storeDb(client);
      await markPartitionsMaterialized(db, { ...status, codeVersion });
      await finishStep(db, finished);
    }
    await client.query("commit");
    if (!ctx.sharedTransaction) {
      const db = storeDb(ctx.store);
      await markPartitionsMaterialized(db, { ...status, codeVersion });
      await finishStep(db, finished);
    }
    const events: RunEvent[] = result.warnings.map((message) => ({
      runId: step.runId,
      stepIdx: step.idx,
      level: "warn",
      message,
    }));
    return {
      status: "succeeded",
      rowsWritten: result.rowsWritten,
      rowsDeleted: result.rowsDeleted,
      warnings: result.warnings,
      events,
    };
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    if (isRetryableDatabaseError(error) || (isAlmanacError(error) && error.retryable)) {
      broken ??= error as Error;
      throw error;
    }
    const failure = toFailure(error, step, renderedSql);
    const db = storeDb(ctx.store);
    await markPartitionsFailed(db, { ...status, errorCode: failure.code, errorMessage: failure.message });
    await finishStep(db, {
      runId: step.runId,
      idx: step.idx,
      status: "failed",
      rowsWritten: 0,
      rowsDeleted: 0,
      renderedSql: (failure.details.sql as string | undefined) ?? renderedSql,
      errorCode: failure.code,
      errorMessage: failure.message,
    });
    return {
      status: "failed",
      rowsWritten: 0,
      rowsDeleted: 0,
      warnings: [],
      error: failure,
      renderedSql,
      events: [
        {
          runId: step.runId,
          stepIdx: step.idx,
          level: "error",
          message: failure.message,
          data: { code: failure.code, ...failure.details, renderedSql },
        },
      ],
    };
  } finally {
    client.release(broken);
  }
}
