import { desc, eq } from "drizzle-orm";
import type { ScheduleTickRow } from "../row-types.js";
import { scheduleTicks } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

export interface ListScheduleTicksOptions {
  /** Only this schedule's ticks. Default: all schedules. */
  readonly scheduleName?: string;
  /** Default 50. */
  readonly limit?: number;
}

/** Ticks, latest scheduled instant first. */
export async function listScheduleTicks(
  db: StoreDb,
  options: ListScheduleTicksOptions = {},
): Promise<ScheduleTickRow[]> {
  return db
    .select()
    .from(scheduleTicks)
    .where(options.scheduleName === undefined ? undefined : eq(scheduleTicks.scheduleName, options.scheduleName))
    .orderBy(desc(scheduleTicks.tickTime), desc(scheduleTicks.createdAt))
    .limit(options.limit ?? 50);
}
