import { lastPartitionKey } from "@almanac/partitions";
import { listClaimedSchedulePartitions, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";
import { findSchedule, scheduleSwitches } from "./schedule-lookup.js";
import { type EnqueueRun, fireScheduleTick, type TickOutcome } from "./schedule-tick.js";
import { scheduleTicksBetween } from "./schedule-times.js";

export interface CatchUpOptions {
  /** The clock: ticks in `(now - days, now]` are considered. */
  readonly now: Date;
  /** How far back to look. Default 5 (`ALMANAC_SCHEDULE_CATCHUP_DAYS`); 0 turns catch-up off. */
  readonly days?: number;
  readonly enqueue: EnqueueRun;
  /** At most this many ticks per schedule (the newest). Default 500. */
  readonly maxTicksPerSchedule?: number;
}

/** A schedule's catch-up: the ticks it fired, oldest first. */
export interface CatchUpReport {
  readonly schedule: string;
  readonly fired: readonly TickOutcome[];
}

/**
 * Fires the ticks a stopped server missed. For each schedule that is on, the cron instants of
 * the last `days` days are mapped to their target partitions; partitions the schedule already
 * claimed are left alone (no `skipped` row per restart), and each remaining partition is fired
 * once, at its earliest instant, oldest first — through `fireScheduleTick`, so a tick BullMQ
 * delivers meanwhile, or another server catching up at the same time, is deduplicated by the
 * same (schedule, partition) claim.
 */
export async function catchUpSchedules(ctx: EngineContext, options: CatchUpOptions): Promise<CatchUpReport[]> {
  const days = options.days ?? 5;
  if (days <= 0) return [];
  const db = storeDb(ctx.store);
  const isOn = await scheduleSwitches(db);
  const after = new Date(options.now.getTime() - days * 86_400_000);
  const reports: CatchUpReport[] = [];
  for (const config of ctx.project.schedules) {
    if (!isOn(config.name)) continue;
    const { schedule, partitions } = findSchedule(ctx.project, config.name);
    const firstTickOf = new Map<string, Date>();
    for (const tickTime of scheduleTicksBetween(schedule, after, options.now, options.maxTicksPerSchedule ?? 500)) {
      const key = lastPartitionKey(partitions, tickTime);
      if (key !== undefined && !firstTickOf.has(key)) firstTickOf.set(key, tickTime);
    }
    const claimed = await listClaimedSchedulePartitions(db, {
      scheduleName: schedule.name,
      partitionKeys: [...firstTickOf.keys()],
    });
    const fired: TickOutcome[] = [];
    for (const [key, tickTime] of firstTickOf) {
      if (claimed.has(key)) continue;
      fired.push(await fireScheduleTick(ctx, schedule.name, { tickTime, enqueue: options.enqueue }));
    }
    reports.push({ schedule: schedule.name, fired });
  }
  return reports;
}
