import { asc } from "drizzle-orm";
import type { ScheduleStateRow } from "../row-types.js";
import { scheduleStates } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

/** Every stored schedule state. Schedules without a row use their default from almanac.yml. */
export async function listScheduleStates(db: StoreDb): Promise<ScheduleStateRow[]> {
  return db.select().from(scheduleStates).orderBy(asc(scheduleStates.scheduleName));
}
