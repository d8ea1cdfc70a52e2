import { sql } from "drizzle-orm";
import type { ScheduleStateRow } from "../row-types.js";
import { scheduleStates } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

export interface SetScheduleEnabledInput {
  readonly scheduleName: string;
  readonly enabled: boolean;
}

/** Switches a schedule on or off (upsert). */
export async function setScheduleEnabled(db: StoreDb, input: SetScheduleEnabledInput): Promise<ScheduleStateRow> {
  const [row] = await db
    .insert(scheduleStates)
    .values({ scheduleName: input.scheduleName, enabled: input.enabled })
    .onConflictDoUpdate({ target: scheduleStates.scheduleName, set: { enabled: input.enabled, updatedAt: sql`now()` } })
    .returning();
  if (!row) throw new Error("upsert into almanac.schedule_states returned no row");
  return row;
}
