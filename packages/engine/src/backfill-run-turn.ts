import {
  backfillOpenRuns,
  backfillRunGate,
  type RunToStart,
  readyBackfillRuns,
  type StoreDb,
  skipBlockedBackfillRuns,
  storeDb,
} from "@almanac/store";
import { backfillNotifications, refreshBackfillStatus } from "./backfill-progress.js";
import type { EngineContext, ExecuteOptions } from "./engine-context.js";
import { executeRun, type RunResult } from "./execute-run.js";

/** What came of asking to execute a run in its turn. */
export type RunTurn =
  | {
      /** An earlier wave of its backfill is still queued or running: try again later. Nothing was written. */
      readonly kind: "waiting";
      readonly waitingOn: number;
    }
  | {
      readonly kind: "finished";
      readonly status: RunResult["status"];
      /** Undefined when the run was skipped without executing (an earlier wave failed). */
      readonly result?: RunResult;
      /** Runs of the same backfill that may start now that this one finished: enqueue them. */
      readonly next: readonly RunToStart[];
    };

/**
 * Executes a run when its turn has come — what a worker calls for each job. A run outside any
 * backfill executes at once. A backfill run waits while a run of an earlier wave of its
 * backfill is unfinished (the non-partitioned models its partitions read, say) and is skipped
 * (failed, ALMANAC_UPSTREAM_FAILED) when one failed or was canceled. After the run, it returns
 * the runs that became startable (the next wave, once this one is done) and updates the
 * backfill's status. So a job enqueued early — by the reconciler, after Redis lost its data —
 * is harmless: it waits.
 */
export async function executeRunInTurn(
  ctx: EngineContext,
  runId: string,
  options: ExecuteOptions = {},
): Promise<RunTurn> {
  const db = storeDb(ctx.store);
  const gate = await backfillRunGate(db, runId);
  if (gate?.blockedBy) {
    await skipBlockedBackfillRuns(db, gate.backfillId);
    await refreshBackfillStatus(db, gate.backfillId, backfillNotifications(ctx));
    return { kind: "finished", status: "failed", next: [] };
  }
  if (gate && gate.waitingOn > 0) return { kind: "waiting", waitingOn: gate.waitingOn };
  const result = await executeRun(ctx, runId, options);
  const next = gate
    ? await afterBackfillRun(db, gate.backfillId, runId, result.status, backfillNotifications(ctx))
    : [];
  return { kind: "finished", status: result.status, result, next };
}

/**
 * After a run of a backfill finished: when it did not succeed, the runs of later waves can no
 * longer run and are skipped; the next wave is returned once every run of this one has
 * finished; and the backfill's status follows its runs. A run that leaves its wave and its
 * backfill open, the common case, costs one indexed look instead of counting every run.
 *
 * @param notify - the notifications subscribed to `backfill_completed`.
 */
export async function afterBackfillRun(
  db: StoreDb,
  backfillId: string,
  runId: string,
  status: RunResult["status"],
  notify: readonly string[],
): Promise<RunToStart[]> {
  if (status !== "succeeded") await skipBlockedBackfillRuns(db, backfillId);
  const open = await backfillOpenRuns(db, runId);
  const next = open?.waveOpen ? [] : await readyBackfillRuns(db, backfillId, { laterThanRunId: runId });
  const statusMayChange = !open?.anyOpen || open.backfillStatus === "requested" || status !== "succeeded";
  if (statusMayChange) await refreshBackfillStatus(db, backfillId, notify);
  return next;
}
