import { type EngineContext, type ReconcileReport, reconcileRuns, stepHeartbeatMs } from "@almanac/engine";
import { type QueueLogger, type RunQueue, runJobStates } from "@almanac/queue";
import { databaseNow, storeDb } from "@almanac/store";
import { startBackgroundLoop } from "../background-loop.js";

export interface ReconcilerOptions {
  readonly ctx: EngineContext;
  /** The run queue the server enqueues on (its BullMQ queue is read for job states). */
  readonly runQueue: RunQueue;
  /** A pino logger, or anything with its `(fields, message)` methods. */
  readonly logger: QueueLogger;
  /** Pause between passes. Default 10 000 ms (`ALMANAC_RECONCILE_INTERVAL_MS`). */
  readonly intervalMs?: number;
  /** A running run silent this long is taken over. Default 60 000 ms (`ALMANAC_STALE_RUN_MS`). */
  readonly staleRunMs?: number;
  /** Queued runs younger than this are left to the request enqueueing them. Default 10 000 ms. */
  readonly enqueueGraceMs?: number;
  /**
   * The clock. Default: Postgres's (`select now()` before each pass), the clock heartbeats are
   * stamped with, so a server whose own clock is off still judges staleness right.
   */
  readonly now?: () => Date | Promise<Date>;
}

export interface Reconciler {
  /** One pass now (waits for a pass in flight first, so passes never overlap in one process). */
  runOnce(): Promise<ReconcileReport>;
  /** Stops the loop and waits for a pass in flight; safe to call twice. */
  close(): Promise<void>;
}

/**
 * The reconciler loop of a server process: a pass right away (a restarted server hands over
 * what Redis lost while it was down), then one every `intervalMs` after the previous one ends.
 * A failed pass (Redis or Postgres away) is logged once per distinct message and retried on
 * the next beat. Several servers may run it at once: each pass is safe under concurrency.
 */
export function startReconciler(options: ReconcilerOptions): Reconciler {
  const { ctx, runQueue, logger } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? (() => databaseNow(storeDb(ctx.store)));
  if (options.staleRunMs !== undefined && options.staleRunMs < 3 * stepHeartbeatMs) {
    logger.warn(
      { staleRunMs: options.staleRunMs, heartbeatMs: stepHeartbeatMs },
      `ALMANAC_STALE_RUN_MS=${options.staleRunMs} is close to the ${stepHeartbeatMs} ms run heartbeat: ` +
        "healthy runs may be taken over; keep it at 30 000 or more",
    );
  }
  const jobs = {
    jobStates: (runs: Parameters<typeof runJobStates>[1]) => runJobStates(runQueue, runs),
    enqueueRuns: (runs: Parameters<RunQueue["enqueueRuns"]>[0]) => runQueue.enqueueRuns(runs),
  };
  const loop = startBackgroundLoop({
    name: "reconciler pass",
    logger,
    delayMs: intervalMs,
    pass: async () => {
      const report = await reconcileRuns(ctx.store, jobs, {
        now: await now(),
        staleRunMs: options.staleRunMs,
        enqueueGraceMs: options.enqueueGraceMs,
      });
      logReport(logger, report);
      return report;
    },
  });
  return { runOnce: loop.runNow, close: loop.close };
}

function logReport(logger: ReconcilerOptions["logger"], report: ReconcileReport): void {
  for (const run of report.takenOver) {
    logger.warn(
      { runId: run.runId, workerId: run.workerId, heartbeatAt: run.heartbeatAt, attempt: run.attempt },
      `reconciler: run ${run.runId} had no heartbeat from ${run.workerId ?? "its worker"}; taken over as attempt ${run.attempt}`,
    );
  }
  if (report.reenqueued.length > 0) {
    logger.warn(
      { runIds: report.reenqueued.slice(0, 20).map((r) => r.runId), count: report.reenqueued.length },
      `reconciler: ${report.reenqueued.length} queued run(s) had no job in Redis; enqueued again`,
    );
  }
  if (report.renewed.length > 0) {
    logger.warn(
      { runIds: report.renewed.slice(0, 20).map((r) => r.runId), count: report.renewed.length },
      `reconciler: ${report.renewed.length} queued run(s) whose job had ended; enqueued under a new attempt`,
    );
  }
}
