import type { PartitionGranularity } from "@almanac/partitions";
import { CronExpressionParser } from "cron-parser";

/**
 * The cron a schedule gets when almanac.yml gives none: one tick at the start of every window
 * of its partitions definition, in the schedule's zone (the definition's unless it says
 * otherwise). With `end_offset` 0 that tick targets the window that just ended.
 */
const cadenceCron: Readonly<Record<PartitionGranularity, string>> = {
  hourly: "0 * * * *",
  daily: "0 0 * * *",
  // Weekly windows start on Sunday (partitions package), so the tick does too.
  weekly: "0 0 * * 0",
  monthly: "0 0 1 * *",
  yearly: "0 0 1 1 *",
};

/** The default cron of a schedule over partitions of this granularity, e.g. `0 0 * * *` for daily. */
export function defaultScheduleCron(type: PartitionGranularity): string {
  return cadenceCron[type];
}

/**
 * Why `cron` is not a usable schedule in `timezone`, or undefined when it is. Accepts what
 * BullMQ's job schedulers accept — 5 fields (minute hour day-of-month month day-of-week), 6
 * with leading seconds, or an alias such as `@daily` — but, unlike cron-parser, refuses fewer
 * fields: `0 3 * *` is a typo, not "every minute of hour 0 on the 3rd".
 */
export function cronProblem(cron: string, timezone: string): string | undefined {
  const text = cron.trim();
  const fields = text.split(/\s+/);
  if (!text.startsWith("@") && (fields.length < 5 || fields.length > 6)) {
    return `has ${fields.length} field(s); write 5 (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"`;
  }
  try {
    // The first instant proves the expression can fire at all (`0 0 30 2 *` never does).
    CronExpressionParser.parse(text, { tz: timezone, currentDate: new Date(0) }).next();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
