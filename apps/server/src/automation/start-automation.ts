import { automationBatchSize, type EngineContext, evaluateAutomation } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import type { QueueLogger, RunQueue } from "@almanac/queue";
import type pg from "pg";

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
  /** A pass now, after any in flight; resolves when no update is left. */
  drain(): Promise<void>;
  /** Stops listening and polling, waits for the pass in flight. Safe to call twice. */
  close(): Promise<void>;
}

/** Wait before listening again after the listening connection broke. */
const relistenMs = 1_000;

/**
 * Automation in the server process: a pass on each `almanac_automation` notification (sent
 * when an update commits: a step of an asset an eager asset follows, a source event), on a
 * poll, and at start (updates written while no server ran). Passes never overlap in one process;
 * notifications that arrive during a pass make one more. Without eager assets nothing starts.
 */
export async function startAutomation(options: AutomationOptions): Promise<RunningAutomation> {
  const { ctx, logger, runQueue } = options;
  const now = options.now ?? (() => new Date());
  if (ctx.project.automation.size === 0) return { drain: async () => undefined, close: async () => undefined };
  let closed = false;
  let again = false;
  let current: Promise<void> | undefined;
  let lastError: string | undefined;
  let listener: pg.PoolClient | undefined;
  let relisten: NodeJS.Timeout | undefined;

  const passes = async (): Promise<void> => {
    do {
      again = false;
      try {
        const pass = await evaluateAutomation(ctx, { now: now() });
        lastError = undefined;
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
        if (pass.updates === automationBatchSize) again = true;
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastError) logger.warn({ err: error }, `automation pass failed: ${message}`);
        lastError = message;
        return;
      }
    } while (again && !closed);
  };

  const drain = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = passes().finally(() => {
      current = undefined;
    });
    return current;
  };

  const listen = async (): Promise<void> => {
    relisten = undefined;
    if (closed) return;
    try {
      const client = await ctx.store.connect();
      client.on("notification", () => void drain());
      client.on("error", () => {
        // The connection broke (Postgres restarted): polls cover the gap until it is back.
        client.release(true);
        if (listener === client) listener = undefined;
        if (!closed) relisten = setTimeout(listen, relistenMs);
      });
      await client.query("listen almanac_automation");
      listener = client;
      void drain(); // what committed while this connection was not listening
    } catch (error) {
      if (!closed) relisten = setTimeout(listen, relistenMs);
      logger.warn({ err: error }, "automation cannot listen for updates yet; retrying");
    }
  };

  await listen();
  const poll = setInterval(() => void drain(), options.pollMs ?? 5_000);
  await drain();
  logger.info(
    { assets: [...ctx.project.automation.keys()] },
    `automation: ${ctx.project.automation.size} eager asset(s)`,
  );
  return {
    drain,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      if (relisten) clearTimeout(relisten);
      await current;
      if (listener) {
        await listener.query("unlisten almanac_automation").catch(() => undefined);
        listener.release();
        listener = undefined;
      }
    },
  };
}
