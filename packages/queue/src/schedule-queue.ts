import { AlmanacError } from "@almanac/errors";
import { type JobSchedulerTemplateOptions, Queue } from "bullmq";
import {
  closeConnection,
  producerConnection,
  producerConnectTimeoutMs,
  redactedRedisUrl,
  whenReady,
} from "./connections.js";
import { type QueueLogger, silentLogger } from "./queue-logger.js";
import { queuePrefix } from "./redis-target.js";
import type { QueueSettings } from "./types.js";

/** The BullMQ queue that carries schedule ticks. Its Redis keys are `<prefix>:schedules:*`. */
export const scheduleQueueName = "schedules";
/** BullMQ job name of a tick. */
export const scheduleTickJobName = "tick";

/** Payload of a tick job; the scheduled instant is the job's own (`opts.prevMillis`). */
export interface ScheduleTickData {
  readonly schedule: string;
}

/** A schedule as BullMQ needs it: one job scheduler per name. */
export interface ScheduleTiming {
  readonly name: string;
  /** Cron, validated at project load. */
  readonly cron: string;
  /** IANA zone the cron is read in. */
  readonly timezone: string;
}

/**
 * Options of every tick job. A tick records its own outcome in Postgres (a failed launch is a
 * `failed` tick, not a failed job); the job fails only when Postgres is unreachable, so a few
 * retries with backoff (5, 10, 20, 40 s) ride out a restart. Finished ticks are kept a week
 * (at most 1 000): Postgres has the history.
 */
export const scheduleTickJobOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
} as const satisfies JobSchedulerTemplateOptions;

export interface ScheduleQueue {
  readonly queue: Queue<ScheduleTickData>;
  /**
   * Makes Redis hold exactly these schedules: one job scheduler per schedule (upserted, so a
   * changed cron or zone takes effect), and the schedulers of schedules no longer listed
   * removed. Safe when several servers start at once: upserts of the same schedule agree.
   *
   * @returns the names of the schedulers removed.
   * @throws AlmanacError `ALMANAC_QUEUE_UNAVAILABLE` when Redis does not answer.
   */
  syncSchedulers(schedules: readonly ScheduleTiming[]): Promise<string[]>;
  /** Closes the queue and its connection; safe to call twice. */
  close(): Promise<void>;
}

/** The producer side of the schedule queue, under the same prefix as the run queue. */
export function createScheduleQueue(settings: QueueSettings, logger: QueueLogger = silentLogger): ScheduleQueue {
  const connection = producerConnection(settings, logger);
  const queue = new Queue<ScheduleTickData>(scheduleQueueName, { connection, prefix: queuePrefix(settings) });
  queue.on("error", () => undefined);
  let closing: Promise<void> | undefined;
  return {
    queue,
    async syncSchedulers(schedules) {
      try {
        await whenReady(connection, producerConnectTimeoutMs);
        for (const schedule of schedules) {
          await queue.upsertJobScheduler(
            schedule.name,
            { pattern: schedule.cron, tz: schedule.timezone },
            { name: scheduleTickJobName, data: { schedule: schedule.name }, opts: scheduleTickJobOptions },
          );
        }
        const wanted = new Set(schedules.map((schedule) => schedule.name));
        const removed: string[] = [];
        for (const scheduler of await queue.getJobSchedulers()) {
          if (wanted.has(scheduler.key)) continue;
          await queue.removeJobScheduler(scheduler.key);
          removed.push(scheduler.key);
        }
        return removed;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const redis = redactedRedisUrl(settings.redisUrl);
        throw new AlmanacError(
          "ALMANAC_QUEUE_UNAVAILABLE",
          `could not register schedules on Redis at ${redis}: ${message}`,
          { redis },
          { cause: error },
        );
      }
    },
    close() {
      closing ??= (async () => {
        await queue.close().catch(() => undefined);
        await closeConnection(connection);
      })();
      return closing;
    },
  };
}
