import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/**
 * Which of `partitionKeys` a schedule has already launched (a `started` or `succeeded` tick with
 * its run), in one query: catch-up fires only the others, so a restart does not log a skipped
 * tick for every partition it already launched. A claim without a run is not counted: its
 * process may have died mid-tick, and firing it again lets `fireScheduleTick` find out.
 */
export async function listClaimedSchedulePartitions(
  db: StoreDb,
  input: { readonly scheduleName: string; readonly partitionKeys: readonly string[] },
): Promise<Set<string>> {
  if (input.partitionKeys.length === 0) return new Set();
  const result = await db.execute<{ partition_key: string }>(sql`
    select partition_key from almanac.schedule_ticks
    where schedule_name = ${input.scheduleName}
      and partition_key = any(${sql.param([...input.partitionKeys])}::text[])
      and status in ('started', 'succeeded') and run_id is not null`);
  return new Set(result.rows.map((row) => row.partition_key));
}
