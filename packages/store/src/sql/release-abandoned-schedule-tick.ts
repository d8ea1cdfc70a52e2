import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

export interface ReleaseAbandonedScheduleTickInput {
  readonly scheduleName: string;
  readonly partitionKey: string;
  /**
   * A claim this old (by the store's clock, which stamped it) that never got its run is
   * abandoned. Launching a run takes well under a second, so minutes leave a wide margin.
   */
  readonly olderThanMs: number;
}

/**
 * Frees a (schedule, partition) claim whose process died between claiming the tick and
 * launching its run (a `started` tick without a run, older than `olderThanMs`): it is marked
 * `failed`, so the next firing may claim the partition again instead of skipping it forever.
 * Returns true when a claim was released.
 */
export async function releaseAbandonedScheduleTick(
  db: StoreDb,
  input: ReleaseAbandonedScheduleTickInput,
): Promise<boolean> {
  const result = await db.execute(sql`
    update almanac.schedule_ticks
    set status = 'failed', finished_at = now(),
        message = 'abandoned: the process that claimed this tick stopped before launching its run'
    where schedule_name = ${input.scheduleName} and partition_key = ${input.partitionKey}
      and status = 'started' and run_id is null
      and created_at < now() - make_interval(secs => ${input.olderThanMs / 1000})`);
  return (result.rowCount ?? 0) > 0;
}
