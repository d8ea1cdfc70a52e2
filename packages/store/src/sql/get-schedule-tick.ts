import { eq } from "drizzle-orm";
import type { ScheduleTickRow } from "../row-types.js";
import { scheduleTicks } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** One tick by id, or undefined. */
export async function getScheduleTick(db: StoreDb, tickId: string): Promise<ScheduleTickRow | undefined> {
  if (!isUuid(tickId)) return undefined;
  const [row] = await db.select().from(scheduleTicks).where(eq(scheduleTicks.id, tickId));
  return row;
}
