import { type Job, Worker } from "bullmq";
import { closeConnection, distinctErrorLog, redactedRedisUrl, workerConnection } from "./connections.js";
import { type QueueLogger, silentLogger } from "./queue-logger.js";
import { queuePrefix } from "./redis-target.js";
import { type ScheduleTickData, scheduleQueueName } from "./schedule-queue.js";
import type { QueueSettings } from "./types.js";

/** One firing of a schedule as BullMQ delivers it. */
export interface ScheduleTickJob {
  readonly schedule: string;
  /** The instant the cron named (not when the job happened to run): the tick's partition derives from it. */
  readonly tickTime: Date;
  readonly jobId: string | undefined;
}

export interface ScheduleTickWorkerOptions {
  readonly queue: QueueSettings;
  /** Fires the tick. Throwing makes BullMQ retry the job with backoff: throw only when a retry can help. */
  readonly onTick: (tick: ScheduleTickJob) => Promise<void>;
  readonly logger?: QueueLogger;
  /** Ticks processed at once. Default 1: ticks only record runs, and one at a time keeps them in order. */
  readonly concurrency?: number;
}

export interface ScheduleTickWorker {
  /** Stops taking ticks and waits for the one in flight; safe to call twice. */
  close(): Promise<void>;
}

/**
 * A BullMQ worker on the schedule queue. Several servers may each run one: BullMQ hands each
 * tick job to one of them, and the tick's (schedule, partition) claim in Postgres makes a
 * duplicate delivery a recorded `skipped` tick rather than a second run.
 */
export function startScheduleTickWorker(options: ScheduleTickWorkerOptions): ScheduleTickWorker {
  const logger = options.logger ?? silentLogger;
  const prefix = queuePrefix(options.queue);
  const fields = { redis: redactedRedisUrl(options.queue.redisUrl), prefix, queue: "schedules" };
  const stopReconnecting = new AbortController();
  const connection = workerConnection(options.queue, silentLogger, { stopReconnecting: stopReconnecting.signal });
  const worker = new Worker<ScheduleTickData>(
    scheduleQueueName,
    async (job: Job<ScheduleTickData>) => options.onTick(tickOf(job)),
    { connection, prefix, concurrency: options.concurrency ?? 1 },
  );
  const errors = distinctErrorLog(logger, fields, "schedule worker error");
  worker.on("error", (error) => errors.report(error));
  worker.getBackend().on("ready", () => errors.reset());
  worker.on("failed", (job, error) => {
    logger.error(
      { ...fields, schedule: job?.data.schedule, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error },
      `schedule tick failed: ${error.message}`,
    );
  });
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        // Bounded: a tick only records a run, so a few seconds is plenty; a dead Redis must not hang shutdown.
        const closed = worker.close().catch((error: Error) => errors.report(error));
        const timedOut = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
        await Promise.race([closed, timedOut]);
        stopReconnecting.abort();
        await closeConnection(connection);
      })();
      return closing;
    },
  };
}

/** The scheduled instant is the scheduler's `prevMillis` (the cron time it created the job for). */
function tickOf(job: Job<ScheduleTickData>): ScheduleTickJob {
  const millis = job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
  return { schedule: job.data.schedule, tickTime: new Date(millis), jobId: job.id };
}
