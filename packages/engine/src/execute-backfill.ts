import { isAlmanacError } from "@almanac/errors";
import { readyBackfillRuns, storeDb } from "@almanac/store";
import { type BackfillProgress, getBackfillProgress } from "./backfill-progress.js";
import { executeRunInTurn } from "./backfill-run-turn.js";
import type { EngineContext, ExecuteOptions } from "./engine-context.js";
import type { RunResult } from "./execute-run.js";

export interface ExecuteBackfillOptions extends ExecuteOptions {
  /** Called after each run of the backfill, in order. */
  readonly onRun?: (result: RunResult) => void | Promise<void>;
  /** When aborted, no further run starts (cancel the backfill to stop the running one too). */
  readonly signal?: AbortSignal;
}

/**
 * Executes a recorded backfill in this process (`almanac backfill` without `--remote`): its
 * runs one after another, wave by wave, with the same gates as the workers use, until none is
 * left that may start. Returns the backfill's progress at the end.
 */
export async function executeBackfill(
  ctx: EngineContext,
  backfillId: string,
  options: ExecuteBackfillOptions = {},
): Promise<BackfillProgress> {
  const db = storeDb(ctx.store);
  for (;;) {
    const ready = await readyBackfillRuns(db, backfillId);
    if (ready.length === 0 || options.signal?.aborted) break;
    let executed = 0;
    for (const { runId } of ready) {
      if (options.signal?.aborted) break;
      try {
        const turn = await executeRunInTurn(ctx, runId, options);
        if (turn.kind === "finished") executed++;
        if (turn.kind === "finished" && turn.result) await options.onRun?.(turn.result);
      } catch (error) {
        // Canceled between the look and the start: nothing to execute.
        if (isAlmanacError(error) && error.code === "ALMANAC_UNKNOWN_RUN") continue;
        throw error;
      }
    }
    // Ready runs that all turned out finished elsewhere or waiting: nothing more to do here.
    if (executed === 0) break;
  }
  return getBackfillProgress(ctx, backfillId);
}
