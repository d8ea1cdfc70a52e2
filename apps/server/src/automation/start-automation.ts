import { automationBatchSize, type EngineContext, evaluateAutomation } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import type { QueueLogger, RunQueue } from "@almanac/queue";
import { startBackgroundLoop } from "../background-loop.js";

export interface AutomationOptions {
  readonly ctx: EngineContext;
  /** Where the runs automation records are enqueued. */
  readonly runQueue: Pick<RunQueue, "enqueueRuns">;
  readonly logger: QueueLogger;
  /**
   * A pass this often even without a notification: notifications sent while this server's
   * listening connection was down are not replayed. Default 5 000 ms (`ALMANAC_AUTOMATION_POLL_MS`).
   */
  readonly pollMs?: number;
  /** The clock (which partitions are complete). Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Counts the runs requested (`almanac_automation_runs_total`). */
  readonly metrics?: Pick<AlmanacMetrics, "automationRequested">;
}

export interface RunningAutomation {
  /** A pass now, after any in flight (one batch of updates). */
  drain(): Promise<void>;
  /** Stops listening and polling, waits for the pass in flight. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Automation in the server process: a pass on each `almanac_automation` notification (sent
 * when an update commits: a step of an asset an eager asset follows, a source event), on a
 * poll, and at start (updates written while no server ran); a full batch makes one more at once.
 * Without eager assets nothing starts.
 */
export async function startAutomation(options: AutomationOptions): Promise<RunningAutomation> {
  const { ctx, logger, runQueue } = options;
  const now = options.now ?? (() => new Date());
  if (ctx.project.automation.size === 0) return { drain: async () => undefined, close: async () => undefined };
  const loop = startBackgroundLoop({
    name: "automation pass",
    logger,
    delayMs: options.pollMs ?? 5_000,
    listen: { store: ctx.store, channel: "almanac_automation" },
    again: (updates) => updates === automationBatchSize,
    pass: async () => {
      const pass = await evaluateAutomation(ctx, { now: now() });
      for (const why of pass.skipped) logger.warn({ skipped: why }, `automation skipped ${why}`);
      for (const run of pass.runs) options.metrics?.automationRequested(run.asset);
      if (pass.runs.length > 0) {
        logger.info(
          { runs: pass.runs.map((run) => `${run.runId} ${run.asset} ${run.from ?? ""}..${run.to ?? ""}`) },
          `automation requested ${pass.runs.length} run(s)`,
        );
        // Recorded and queued in Postgres: if Redis is away now, the reconciler enqueues them later.
        await runQueue.enqueueRuns(pass.runs).catch((error: Error) => {
          logger.warn({ err: error }, "automation runs recorded but not enqueued; the reconciler will");
        });
      }
      return pass.updates;
    },
  });
  // Listening before the server answers: an update committed after that wakes a pass.
  await loop.runNow().catch(() => undefined);
  logger.info(
    { assets: [...ctx.project.automation.keys()] },
    `automation: ${ctx.project.automation.size} eager asset(s)`,
  );
  return {
    drain: async () => {
      await loop.runNow();
    },
    close: loop.close,
  };
}
