import { listScheduleTicks, type ScheduleTickRow, setScheduleEnabled, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";
import { findSchedule, scheduleSwitches } from "./schedule-lookup.js";
import { nextScheduleTick } from "./schedule-times.js";

/** A schedule as people see it: its almanac.yml entry, its switch, its next and last ticks. */
export interface ScheduleSummary {
  readonly name: string;
  readonly select: string;
  readonly partitions: string;
  readonly cron: string;
  readonly timezone: string;
  /** Partitions before the target each tick runs again. */
  readonly lookback: number;
  readonly enabled: boolean;
  /** The next cron instant after `now` (whether or not the schedule is on). */
  readonly nextTick: Date;
  /** The latest ticks, latest scheduled instant first. */
  readonly lastTicks: readonly ScheduleTickRow[];
}

export interface ScheduleSummaryOptions {
  readonly now: Date;
  /** Ticks listed per schedule. Default 10. */
  readonly ticks?: number;
}

/** Every schedule of almanac.yml, in file order, with its state. */
export async function scheduleSummaries(
  ctx: EngineContext,
  options: ScheduleSummaryOptions,
): Promise<ScheduleSummary[]> {
  const db = storeDb(ctx.store);
  const isOn = await scheduleSwitches(db);
  return Promise.all(
    ctx.project.schedules.map(async (schedule) => ({
      name: schedule.name,
      select: schedule.select,
      partitions: schedule.partitions,
      cron: schedule.cron,
      timezone: schedule.timezone,
      lookback: schedule.lookback,
      enabled: isOn(schedule.name),
      nextTick: nextScheduleTick(schedule, options.now),
      lastTicks: await listScheduleTicks(db, { scheduleName: schedule.name, limit: options.ticks ?? 10 }),
    })),
  );
}

/** One schedule's summary. @throws AlmanacError `ALMANAC_UNKNOWN_SCHEDULE`. */
export async function scheduleSummary(
  ctx: EngineContext,
  name: string,
  options: ScheduleSummaryOptions,
): Promise<ScheduleSummary> {
  findSchedule(ctx.project, name);
  const summaries = await scheduleSummaries(ctx, options);
  const summary = summaries.find((s) => s.name === name);
  if (!summary) throw new Error(`schedule ${name} has no summary`);
  return summary;
}

/**
 * Turns a schedule on or off; stored in `schedule_states`, so it survives restarts. A schedule
 * that is off keeps its BullMQ scheduler: its ticks are recorded `skipped`, and catch-up leaves
 * it alone. @throws AlmanacError `ALMANAC_UNKNOWN_SCHEDULE`.
 */
export async function switchSchedule(ctx: EngineContext, name: string, enabled: boolean): Promise<void> {
  findSchedule(ctx.project, name);
  await setScheduleEnabled(storeDb(ctx.store), { scheduleName: name, enabled });
}
