import { and, eq, notInArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { BackfillRow } from "../row-types.js";
import { backfills } from "../schema/index.js";
import type { BackfillStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface UpdateBackfillInput {
  readonly backfillId: string;
  /** `running` stamps `started_at` once; a final status stamps `finished_at`. */
  readonly status?: BackfillStatus;
  readonly partitionCount?: number;
  readonly runCount?: number;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
}

const finalStatuses: BackfillStatus[] = ["completed", "completed_with_failures", "canceled"];

/**
 * Updates a backfill's status and counters. A final backfill keeps its status: moving it again
 * changes nothing and returns null, as does an unknown id.
 */
export async function updateBackfill(db: StoreDb, input: UpdateBackfillInput): Promise<BackfillRow | null> {
  if (!isUuid(input.backfillId)) return null;
  const set: PgUpdateSetSource<typeof backfills> = { updatedAt: sql`now()` };
  if (input.status !== undefined) {
    set.status = input.status;
    if (input.status === "running") set.startedAt = sql`coalesce(${backfills.startedAt}, now())`;
    if (finalStatuses.includes(input.status)) set.finishedAt = sql`now()`;
  }
  if (input.partitionCount !== undefined) set.partitionCount = input.partitionCount;
  if (input.runCount !== undefined) set.runCount = input.runCount;
  if (input.errorCode !== undefined) set.errorCode = input.errorCode;
  if (input.errorMessage !== undefined) set.errorMessage = input.errorMessage;
  const [row] = await db
    .update(backfills)
    .set(set)
    .where(and(eq(backfills.id, input.backfillId), notInArray(backfills.status, finalStatuses)))
    .returning();
  return row ?? null;
}
