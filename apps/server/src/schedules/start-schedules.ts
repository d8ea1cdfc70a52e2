import { type CatchUpReport, catchUpSchedules, type EngineContext, fireScheduleTick } from "@almanac/engine";
import {
  createScheduleQueue,
  type QueueLogger,
  type QueueSettings,
  type RunQueue,
  type ScheduleTickJob,
  startScheduleTickWorker,
} from "@almanac/queue";

type Logger = QueueLogger;

export interface SchedulesOptions {
  readonly ctx: EngineContext;
  /** Redis and prefix: the `schedules` queue lives next to the run queue. */
  readonly queue: QueueSettings;
  /** Where ticks enqueue the runs they record. */
  readonly runQueue: Pick<RunQueue, "enqueueRuns">;
  readonly logger: Logger;
  /** Days of missed ticks fired at startup. Default 5 (`ALMANAC_SCHEDULE_CATCHUP_DAYS`); 0 turns it off. */
  readonly catchUpDays?: number;
  /** The clock (catch-up's "now"). Default `() => new Date()`. */
  readonly now?: () => Date;
}

export interface RunningSchedules {
  /** What catch-up fired at startup, per schedule. */
  readonly caughtUp: readonly CatchUpReport[];
  /** Stops taking ticks; the job schedulers stay in Redis for the next start. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Schedules in the server process: registers one BullMQ job scheduler per schedule of
 * almanac.yml (and removes those of schedules no longer there), starts the tick worker, then
 * fires the ticks missed while no server ran (catch-up). Every tick goes through
 * `fireScheduleTick`, whose (schedule, partition) claim in Postgres makes ticks from BullMQ,
 * catch-up, `POST /api/schedules/:name/tick` and other servers launch each partition once.
 */
export async function startSchedules(options: SchedulesOptions): Promise<RunningSchedules> {
  const { ctx, logger, runQueue } = options;
  const now = options.now ?? (() => new Date());
  const enqueue = (run: { runId: string; attempt: number }) => runQueue.enqueueRuns([run]);
  const scheduleQueue = createScheduleQueue(options.queue, logger);
  let worker: ReturnType<typeof startScheduleTickWorker> | undefined;
  try {
    const removed = await scheduleQueue.syncSchedulers(ctx.project.schedules);
    for (const name of removed) logger.info({ schedule: name }, `schedule ${name} is gone from almanac.yml: removed`);
    // Its connection is only needed to register the schedulers.
    await scheduleQueue.close();
    worker = startScheduleTickWorker({
      queue: options.queue,
      logger,
      onTick: async (job) => {
        await onTick(ctx, job, enqueue, logger);
      },
    });
    const caughtUp = await catchUpSchedules(ctx, { now: now(), days: options.catchUpDays, enqueue });
    for (const report of caughtUp) {
      for (const outcome of report.fired) logTick(logger, "catch-up", outcome.tick, outcome.enqueueError);
    }
    logger.info(
      { schedules: ctx.project.schedules.map((s) => `${s.name} (${s.cron} ${s.timezone})`) },
      `schedules registered: ${ctx.project.schedules.length}`,
    );
    const running = worker;
    return { caughtUp, close: () => running.close() };
  } catch (error) {
    await scheduleQueue.close();
    await worker?.close();
    throw error;
  }
}

async function onTick(
  ctx: EngineContext,
  job: ScheduleTickJob,
  enqueue: (run: { runId: string; attempt: number }) => Promise<void>,
  logger: Logger,
): Promise<void> {
  // A schedule removed from almanac.yml while its scheduler still fired (another server has
  // the old file): nothing to run, and retrying would not help.
  if (!ctx.project.schedules.some((s) => s.name === job.schedule)) {
    logger.warn({ schedule: job.schedule, jobId: job.jobId }, `tick of unknown schedule ${job.schedule} ignored`);
    return;
  }
  const outcome = await fireScheduleTick(ctx, job.schedule, { tickTime: job.tickTime, enqueue });
  logTick(logger, "cron", outcome.tick, outcome.enqueueError);
}

function logTick(
  logger: Logger,
  source: string,
  tick: {
    scheduleName: string;
    tickTime: Date;
    partitionKey: string | null;
    status: string;
    runId: string | null;
    message: string | null;
  },
  enqueueError: Error | undefined,
): void {
  const fields = {
    schedule: tick.scheduleName,
    tickTime: tick.tickTime.toISOString(),
    partition: tick.partitionKey,
    status: tick.status,
    runId: tick.runId,
    source,
  };
  const text = `schedule ${tick.scheduleName} tick ${fields.tickTime} (${source}): ${tick.status}${tick.partitionKey ? ` ${tick.partitionKey}` : ""}`;
  if (tick.status === "failed") logger.error({ ...fields, reason: tick.message }, `${text}: ${tick.message}`);
  else if (tick.status === "skipped") logger.info({ ...fields, reason: tick.message }, `${text}: ${tick.message}`);
  else logger.info(fields, text);
  if (enqueueError) {
    logger.warn(
      { ...fields, err: enqueueError },
      `${text}: run recorded but not enqueued; the reconciler hands it over`,
    );
  }
}
