import { AlmanacError } from "@almanac/errors";
import { inSpan, traceContextForJob } from "@almanac/tracing";
import { type JobsOptions, Queue } from "bullmq";
import { Cluster } from "ioredis";
import {
  closeConnection,
  producerConnection,
  producerConnectTimeoutMs,
  redactedRedisUrl,
  whenReady,
} from "./connections.js";
import { runJobId } from "./job-ids.js";
import { type QueueLogger, silentLogger } from "./queue-logger.js";
import { queuePrefix } from "./redis-target.js";
import type { QueueSettings, RunJobData, RunJobResult, RunToEnqueue } from "./types.js";

/** The BullMQ queue that carries runs to workers. Its Redis keys are `<prefix>:runs:*` ({@link queuePrefix}). */
export const runQueueName = "runs";
/** BullMQ job name of a run job. */
export const runJobName = "run";

/**
 * Options of every run job.
 * - `attempts` 6 with exponential backoff from 2 s (2, 4, 8, 16, 32 s, each up to 25 % shorter
 *   so that retries of many runs spread out). Only errors the worker deems transient (Postgres
 *   restarting, a deadlock) are retried — a failed model is a finished run, and a bug is an
 *   `UnrecoverableError`. After the last attempt the reconciler takes over.
 * - Finished jobs are kept a day (completed, at most 1 000) or a week (failed, at most 10 000):
 *   Postgres is the record; Redis keeps enough to debug, not a history.
 */
export const runJobOptions = {
  attempts: 6,
  backoff: { type: "exponential", delay: 2_000, jitter: 0.25 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const satisfies JobsOptions;

/** Upper bound on `ping()`, so a health check answers quickly whatever Redis does. */
const pingTimeoutMs = 1_000;

export interface RunQueue {
  readonly queue: Queue<RunJobData, RunJobResult>;
  /**
   * Adds one job per run attempt, in one round trip; the job id is {@link runJobId}, so adding
   * an attempt that is already queued (or recently finished) does nothing.
   *
   * @throws AlmanacError `ALMANAC_BAD_REQUEST` for a malformed run id or attempt, before anything is sent.
   * @throws AlmanacError `ALMANAC_QUEUE_UNAVAILABLE` (503, retryable) within ~2 s when Redis is
   *   unreachable. Nothing is lost: runs are recorded in Postgres before they are enqueued.
   */
  enqueueRuns(runs: readonly RunToEnqueue[]): Promise<void>;
  /**
   * True when Redis answers within a second; on a cluster, the node that owns the queue's slot.
   * Never throws.
   */
  ping(): Promise<boolean>;
  /** Closes the queue and its connection; safe to call twice and when Redis is gone. */
  close(): Promise<void>;
}

/**
 * The producer side of the run queue, on a fail-fast connection of its own
 * ({@link producerConnection}). Keys live under `settings.prefix`, so several Almanac instances
 * can share one Redis.
 */
export function createRunQueue(settings: QueueSettings, logger: QueueLogger = silentLogger): RunQueue {
  const connection = producerConnection(settings, logger);
  const queue = new Queue<RunJobData, RunJobResult>(runQueueName, { connection, prefix: queuePrefix(settings) });
  // The connection's own listener logs its errors; without a listener here BullMQ re-emits them
  // on the queue, finds no taker and prints them to stderr.
  queue.on("error", () => undefined);
  const redis = redactedRedisUrl(settings.redisUrl);
  // On a cluster PING goes to a random node, which answers even while the node that owns the
  // queue's slot is down. A read of the queue's own key goes to that owner, and fails
  // (CLUSTERDOWN, or no connection) exactly when the queue cannot be used.
  const answers =
    connection instanceof Cluster
      ? async () => (await connection.exists(queue.toKey("meta"))) >= 0
      : async () => (await connection.ping()) === "PONG";
  let closing: Promise<void> | undefined;

  /** One round trip for all the jobs; an unreachable Redis is a 503 the client can retry. */
  const addJobs = async (jobs: ReadonlyMap<string, RunJobData>) => {
    try {
      await whenReady(connection, producerConnectTimeoutMs);
      await queue.addBulk(
        [...jobs].map(([jobId, data]) => ({ name: runJobName, data, opts: { ...runJobOptions, jobId } })),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AlmanacError(
        "ALMANAC_QUEUE_UNAVAILABLE",
        `could not enqueue ${jobs.size} run(s) on Redis at ${redis}: ${message}. ` +
          "The runs are recorded; the reconciler enqueues them once Redis is back.",
        { redis },
        { cause: error },
      );
    }
  };

  return {
    queue,
    async enqueueRuns(runs) {
      if (runs.length === 0) return;
      const attributes = { "messaging.system": "bullmq", "messaging.destination.name": runQueueName };
      // The producer span's context goes into every job, so each worker's run continues this trace.
      await inSpan(`${runQueueName} publish`, { kind: "producer", attributes }, async (span) => {
        const trace = traceContextForJob();
        const jobs = new Map<string, RunJobData>();
        for (const run of runs) {
          const runId = run.runId.toLowerCase();
          jobs.set(runJobId(run.runId, run.attempt), trace ? { runId, trace } : { runId });
        }
        span.setAttribute("messaging.batch.message_count", jobs.size);
        await addJobs(jobs);
      });
    },
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), pingTimeoutMs);
      });
      const answered = (async () => {
        await whenReady(connection, pingTimeoutMs);
        return await answers();
      })().catch(() => false);
      try {
        return await Promise.race([answered, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= (async () => {
        // The queue shares our connection and leaves it open; we close it ourselves.
        await queue.close().catch(() => undefined);
        await closeConnection(connection);
      })();
      return closing;
    },
  };
}
