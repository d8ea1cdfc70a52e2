import { eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { scheduleTicks } from "../schema/index.js";
import type { TickStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface FinishScheduleTickInput {
  readonly tickId: string;
  readonly status: Exclude<TickStatus, "started">;
  /** The run the tick launched. */
  readonly runId?: string | null;
  /** Why it was skipped or failed. */
  readonly message?: string | null;
}

/** Records a tick's outcome. Returns false for an unknown tick. */
export async function finishScheduleTick(db: StoreDb, input: FinishScheduleTickInput): Promise<boolean> {
  if (!isUuid(input.tickId)) return false;
  const set: PgUpdateSetSource<typeof scheduleTicks> = { status: input.status, finishedAt: sql`now()` };
  if (input.runId !== undefined) set.runId = input.runId;
  if (input.message !== undefined) set.message = input.message;
  const rows = await db
    .update(scheduleTicks)
    .set(set)
    .where(eq(scheduleTicks.id, input.tickId))
    .returning({ id: scheduleTicks.id });
  return rows.length > 0;
}
