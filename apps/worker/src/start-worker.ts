import { availableParallelism, hostname } from "node:os";
import type { EngineContext } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import {
  closeConnection,
  createRunQueue,
  distinctErrorLog,
  type QueueSettings,
  queuePrefix,
  type RunJobData,
  type RunJobResult,
  redactedRedisUrl,
  runQueueName,
  silentLogger,
  warnIfEvicting,
  workerConnection,
} from "@almanac/queue";
import { Worker } from "bullmq";
import { RunJobGaveUp } from "./run-job-errors.js";
import { runJobProcessor } from "./run-job-processor.js";
import { storeGate } from "./store-gate.js";
import type { WorkerLogger } from "./worker-logger.js";

export interface WorkerOptions {
  /**
   * Project, target and pools runs execute with. Each running run holds a warehouse connection
   * for its step and briefly a store connection, so give the pools at least `concurrency` + 1.
   */
  readonly ctx: EngineContext;
  readonly queue: QueueSettings;
  /** Runs executed at once by this process. Default `os.availableParallelism()`. */
  readonly concurrency?: number;
  readonly logger: WorkerLogger;
  /** Recorded on every run it executes and every job it takes. Default `<hostname>:<pid>`. */
  readonly workerId?: string;
  /** Counts finished runs, steps, rows and step durations (`almanac_*` metrics). Default: not counted. */
  readonly metrics?: AlmanacMetrics;
}

export interface RunningWorker {
  readonly workerId: string;
  /**
   * Stops taking jobs and lets running runs finish. When `deadlineMs` (default 30 000) passes
   * first, it returns anyway: running runs stop after their current step — they stay `running`
   * in Postgres and are resumed after that step by the next worker that picks them up — and
   * the connections stop reconnecting; BullMQ finishes closing in the background. Returns by
   * the deadline (plus a fraction of a second) even when Redis is gone. Calling it again
   * returns the same promise.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** How long `startWorker` waits for Redis before returning anyway (the worker keeps connecting). */
const readyWaitMs = 5_000;
/** After the deadline, how long to wait for BullMQ to hand over a client it is still connecting. */
const clientWaitMs = 100;

/**
 * Starts a BullMQ worker on the run queue that executes each run with the engine. Resolves once
 * it is connected to Redis, or after 5 s with a warning if Redis is not there yet.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { ctx, logger, queue: settings } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? availableParallelism();
  // On a Redis Cluster the prefix is hash-tagged (`{almanac}`), as the queues' keys must share a slot.
  const prefix = queuePrefix(settings);
  const fields = { workerId, redis: redactedRedisUrl(settings.redisUrl), prefix };
  // Aborted when the shutdown deadline passes: runs stop between steps, connections stop reconnecting.
  const stopping = new AbortController();
  // Aborted as soon as the worker begins to stop: jobs fetched but not begun are handed back.
  const beganStopping = new AbortController();
  // The worker's command connection (BullMQ duplicates it for the blocking fetch). It stays ours
  // to close, after the worker. BullMQ forwards its errors to the worker's `error` event, logged
  // below, so its own listener stays quiet.
  const connection = workerConnection(settings, silentLogger, { stopReconnecting: stopping.signal });
  // A fail-fast producer for the next wave of a backfill, enqueued when a run finishes its wave.
  const nextRuns = createRunQueue(settings, logger);
  const worker = new Worker<RunJobData, RunJobResult>(
    runQueueName,
    runJobProcessor({
      ctx,
      workerId,
      logger,
      stopping: stopping.signal,
      beganStopping: beganStopping.signal,
      enqueueRuns: (runs) => nextRuns.enqueueRuns(runs),
      metrics: options.metrics,
    }),
    { connection, prefix, concurrency, name: workerId },
  );

  // A worker cut off from Postgres but not from Redis stops taking runs it could only fail.
  const gate = storeGate({ worker, store: ctx.store, logger, fields });
  // Without an `error` listener Node would crash the process on the first Redis hiccup.
  const errors = distinctErrorLog(logger, fields, "worker error");
  worker.on("error", (error) => errors.report(error));
  worker.getBackend().on("ready", () => errors.reset());
  worker.on("failed", (job, error) => {
    gate.noticed(error);
    const jobFields = {
      ...fields,
      runId: job?.data.runId,
      jobId: job?.id,
      attemptsMade: job?.attemptsMade,
      err: error,
    };
    if (error instanceof RunJobGaveUp) {
      const log = error.expectedRace ? logger.warn : logger.error;
      log.call(logger, jobFields, `run job given up, not retried: ${error.message}`);
    } else if (job && job.attemptsMade < (job.opts.attempts ?? 1)) {
      logger.warn(jobFields, `run job failed, BullMQ retries it with backoff: ${error.message}`);
    } else {
      logger.error(jobFields, `run job failed after its last attempt; the reconciler re-enqueues it: ${error.message}`);
    }
  });
  worker.on("stalled", (jobId) => {
    logger.warn({ ...fields, jobId }, "run job stalled (its worker died or blocked), moved back to wait");
  });

  const ready = await within(
    worker.waitUntilReady().then(
      () => true,
      () => false,
    ),
    readyWaitMs,
  );
  if (ready) logger.info({ ...fields, concurrency }, "worker ready");
  else logger.warn(fields, `Redis not reachable within ${readyWaitMs} ms; the worker keeps trying`);
  if (ready) void warnIfEvicting(connection, logger);

  let closing: Promise<void> | undefined;
  const close = async (deadlineMs: number) => {
    logger.info({ ...fields, deadlineMs }, "worker stopping: no new runs, waiting for running ones");
    beganStopping.abort();
    gate.close();
    // Worker.close() waits for running jobs; a second close(true) would return the same promise,
    // so the deadline is enforced here instead.
    const graceful = worker
      .close()
      .catch((error: Error) => errors.report(error))
      .finally(() => Promise.all([closeConnection(connection), nextRuns.close()]));
    if (
      !(await within(
        graceful.then(() => true),
        deadlineMs,
      ))
    ) {
      // We return now; BullMQ finishes closing in the background once the steps in flight end.
      // Runs stop after them and stay `running`; BullMQ retries their jobs or, if Redis is gone,
      // the stalled-job check or the reconciler hands them to another worker.
      stopping.abort();
      void nextRuns.close();
      logger.warn(
        fields,
        `worker stop deadline of ${deadlineMs} ms passed: running runs stop after their current step and are left for re-execution`,
      );
      await endWaitingClients(worker);
    }
    logger.info(fields, "worker stopped");
  };
  return {
    workerId,
    close(deadlineMs = 30_000) {
      closing ??= close(deadlineMs);
      return closing;
    },
  };
}

/**
 * ioredis quirk: `disconnect()` on a client waiting to reconnect cancels the reconnect but never
 * ends the client, so commands queued on it — BullMQ's blocking fetch, a job's completion — wait
 * forever, and `Worker.close()` (and its lock-renewal timer, which keeps the process alive) with
 * them. Told to connect now, such a client fails against the dead Redis, finds reconnecting
 * stopped, ends and fails those commands, and the close completes.
 */
async function endWaitingClients(worker: Worker<RunJobData, RunJobResult>): Promise<void> {
  const backend = worker.getBackend();
  for (const pending of [backend.client, backend.blockingClient]) {
    const client =
      pending &&
      (await within(
        pending.catch(() => undefined),
        clientWaitMs,
      ));
    if (client && client.status === "reconnecting") client.connect().catch(() => undefined);
  }
}

/** The promise's value if it settles within `ms`, else false. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
