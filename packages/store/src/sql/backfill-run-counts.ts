import { eq, sql } from "drizzle-orm";
import { runs } from "../schema/index.js";
import { type RunStatus, runStatuses } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** How many of a backfill's runs are in each status (every status present, 0 when none). */
export async function backfillRunCounts(db: StoreDb, backfillId: string): Promise<Record<RunStatus, number>> {
  const counts = Object.fromEntries(runStatuses.map((status) => [status, 0])) as Record<RunStatus, number>;
  if (!isUuid(backfillId)) return counts;
  const rows = await db
    .select({ status: runs.status, count: sql<number>`count(*)`.mapWith(Number) })
    .from(runs)
    .where(eq(runs.backfillId, backfillId))
    .groupBy(runs.status);
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}
