import { sql } from "drizzle-orm";
import { type RunStatus, runStatuses } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/**
 * `backfillRunCounts` for many backfills in one query (a list page): each id maps to its runs
 * per status, every status present.
 */
export async function backfillsRunCounts(
  db: StoreDb,
  backfillIds: readonly string[],
): Promise<Map<string, Record<RunStatus, number>>> {
  const ids = backfillIds.filter(isUuid);
  const counts = new Map<string, Record<RunStatus, number>>();
  for (const id of ids) {
    counts.set(id, Object.fromEntries(runStatuses.map((status) => [status, 0])) as Record<RunStatus, number>);
  }
  if (ids.length === 0) return counts;
  const result = await db.execute<{ backfill_id: string; status: RunStatus; runs: number }>(sql`
    select backfill_id, status, count(*)::int as runs from almanac.runs
    where backfill_id = any(${sql.param(ids)}::uuid[])
    group by 1, 2`);
  for (const row of result.rows) {
    const entry = counts.get(row.backfill_id);
    if (entry) entry[row.status] = row.runs;
  }
  return counts;
}
