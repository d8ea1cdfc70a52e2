import { isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { appendRunEvents, finishStep, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";
import type { StepResult, StepToRun } from "./execute-step.js";
import { prepareSeed, writeSeed } from "./load-seeds.js";
import { lockAssetPartitions } from "./partition-locks.js";
import { recordStepFailure } from "./record-step-failure.js";
import { type RunEvent, toFailure } from "./run-events.js";
import { checkStepPartitions } from "./step-checks.js";
import { stepTimeoutError, stepTimeoutMs } from "./step-timeout.js";

/**
 * Loads seed `step.assetKey` as a step of a run (`almanac materialize +orders`, as `dbt build`
 * loads the seeds a selection reaches): read and type the CSV and render its hooks, then in one
 * warehouse transaction take the seed's lock (one writer at a time, as for a model), run its
 * hooks around the load and, when store and warehouse are one database, record the step and its
 * log line. A seed has no partitions, so no partition status is kept for it: the step says
 * what happened. Then its tests run, as a model's do. Retryable errors are thrown for the caller.
 */
export async function executeSeedStep(ctx: EngineContext, step: StepToRun): Promise<StepResult> {
  const started = performance.now();
  const seed = ctx.project.seeds.get(step.assetKey);
  const client = await ctx.warehouse.connect();
  let broken: Error | undefined;
  try {
    if (seed === undefined) throw new Error(`the project has no seed "${step.assetKey}" any more`);
    const prepared = await prepareSeed(ctx, seed);
    await client.query("begin");
    await lockAssetPartitions(client, step.assetKey, [""], stepTimeoutMs(ctx.stepTimeoutMs));
    const report = await writeSeed(client, prepared);
    const durationMs = Math.round(performance.now() - started);
    const { schema, identifier } = report.relation;
    const events: RunEvent[] = [
      {
        runId: step.runId,
        stepIdx: step.idx,
        level: "info",
        message: `seed ${step.assetKey}: ${report.rows} rows loaded into "${schema}"."${identifier}" (${durationMs} ms)`,
        data: { rowsWritten: report.rows, durationMs },
      },
    ];
    const record = async (db: ReturnType<typeof storeDb>) => {
      await finishStep(db, {
        runId: step.runId,
        idx: step.idx,
        status: "succeeded",
        rowsWritten: report.rows,
        rowsDeleted: 0,
      });
      await appendRunEvents(db, events);
    };
    // As for a model: the step never shows succeeded without its log line.
    if (ctx.sharedTransaction) await record(storeDb(client));
    await client.query("commit");
    if (!ctx.sharedTransaction) await record(storeDb(ctx.store));
    const checkEvents = await checkStepPartitions(ctx, step, [""], client);
    return { status: "succeeded", rowsWritten: report.rows, rowsDeleted: 0, warnings: [], events: checkEvents };
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    if (isRetryableDatabaseError(error) || (isAlmanacError(error) && error.retryable)) {
      broken ??= error as Error;
      throw error;
    }
    const failure = toFailure(stepTimeoutError(error, ctx.stepTimeoutMs) ?? error, step, undefined);
    return recordStepFailure(ctx.store, step, [], failure, { status: "failed" });
  } finally {
    client.release(broken);
  }
}
