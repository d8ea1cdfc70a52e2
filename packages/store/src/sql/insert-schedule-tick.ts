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
 * Claims a tick. `inserted: false` means this (schedule, instant) was already claimed, by this
 * process or another one: the caller must not launch a run, so a tick runs at most once.
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
    .onConflictDoNothing({ target: [scheduleTicks.scheduleName, scheduleTicks.tickTime] })
    .returning();
  return tick ? { inserted: true, tick } : { inserted: false };
}
