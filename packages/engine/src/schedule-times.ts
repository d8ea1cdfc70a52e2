import type { ScheduleConfig } from "@almanac/project";
import { CronExpressionParser } from "cron-parser";

type Timing = Pick<ScheduleConfig, "cron" | "timezone">;

/**
 * The schedule's cron instants in `(after, until]`, oldest first, at most `limit` of them (the
 * newest ones when there are more). Pure: the clock is an argument.
 */
export function scheduleTicksBetween(schedule: Timing, after: Date, until: Date, limit = 1_000): Date[] {
  const ticks: Date[] = [];
  if (until.getTime() <= after.getTime()) return ticks;
  const cron = CronExpressionParser.parse(schedule.cron, {
    tz: schedule.timezone,
    currentDate: after,
    endDate: until,
  });
  while (cron.hasNext()) {
    ticks.push(cron.next().toDate());
    // Keep memory bounded for a per-second cron over days: only the newest `limit` matter.
    if (ticks.length > limit) ticks.shift();
  }
  return ticks;
}

/** The schedule's first cron instant strictly after `now`. */
export function nextScheduleTick(schedule: Timing, now: Date): Date {
  return CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: now }).next().toDate();
}
