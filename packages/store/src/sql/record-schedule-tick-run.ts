import { eq, sql } from "drizzle-orm";
import { scheduleTicks } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface RecordScheduleTickRunInput {
  readonly tickId: string;
  /** The run the tick launched or joined. */
  readonly runId: string;
  readonly message?: string | null;
}

/**
 * Completes a `started` tick with the run it launched: it keeps status `started` (its outcome:
 * a run was started) and the claim on its partition. Returns false for an unknown tick.
 */
export async function recordScheduleTickRun(db: StoreDb, input: RecordScheduleTickRunInput): Promise<boolean> {
  if (!isUuid(input.tickId)) return false;
  const rows = await db
    .update(scheduleTicks)
    .set({ runId: input.runId, message: input.message ?? null, finishedAt: sql`now()` })
    .where(eq(scheduleTicks.id, input.tickId))
    .returning({ id: scheduleTicks.id });
  return rows.length > 0;
}
