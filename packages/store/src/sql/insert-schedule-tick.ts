import { sql } from "drizzle-orm";
import type { ScheduleTickRow } from "../row-types.js";
import { scheduleTicks } from "../schema/index.js";
import type { TickStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

export interface InsertScheduleTickInput {
  readonly scheduleName: string;
  /** The scheduled instant from the cron expression. */
  readonly tickTime: Date;
  readonly partitionKey?: string | null;
  /** Default `started`. */
  readonly status?: TickStatus;
  readonly runId?: string | null;
  readonly message?: string | null;
}

export type InsertScheduleTickResult =
  | { readonly inserted: true; readonly tick: ScheduleTickRow }
  | { readonly inserted: false };

/**
 * Records a tick. A `started` (or `succeeded`) tick claims its (schedule, partition):
 * `inserted: false` means that pair was already claimed, by this process or another one, and
 * the caller must not launch a run — so a partition is launched at most once per schedule.
 * `skipped` and `failed` ticks claim nothing and are always inserted.
 */
export async function insertScheduleTick(
  db: StoreDb,
  input: InsertScheduleTickInput,
): Promise<InsertScheduleTickResult> {
  const [tick] = await db
    .insert(scheduleTicks)
    .values({
      scheduleName: input.scheduleName,
      tickTime: input.tickTime,
      partitionKey: input.partitionKey ?? null,
      status: input.status ?? "started",
      runId: input.runId ?? null,
      message: input.message ?? null,
    })
    // The target and predicate name the partial unique index `schedule_ticks_claim_key`.
    .onConflictDoNothing({
      target: [scheduleTicks.scheduleName, scheduleTicks.partitionKey],
      where: sql`"status" in ('started', 'succeeded')`,
    })
    .returning();
  return tick ? { inserted: true, tick } : { inserted: false };
}
