import { sql } from "drizzle-orm";
import type { StepStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** How many steps of a backfill share a status and a partition range. */
export interface BackfillStepCount {
  readonly status: StepStatus;
  /** Inclusive range of the steps; both null for non-partitioned models. */
  readonly partitionFrom: string | null;
  readonly partitionTo: string | null;
  readonly steps: number;
}

/**
 * The steps of a backfill's runs grouped by status and range, in one query: the caller turns
 * ranges into partition counts. Steps are the backfill's own record of each asset partition it
 * targets, so the counts hold even after another run took a partition over.
 */
export async function backfillStepCounts(db: StoreDb, backfillId: string): Promise<BackfillStepCount[]> {
  if (!isUuid(backfillId)) return [];
  const result = await db.execute<{
    status: StepStatus;
    partition_from: string | null;
    partition_to: string | null;
    steps: number;
  }>(sql`
    select s.status, s.partition_from, s.partition_to, count(*)::int as steps
    from almanac.runs r
    join almanac.run_steps s on s.run_id = r.id
    where r.backfill_id = ${backfillId}
    group by 1, 2, 3`);
  return result.rows.map((row) => ({
    status: row.status,
    partitionFrom: row.partition_from,
    partitionTo: row.partition_to,
    steps: row.steps,
  }));
}
