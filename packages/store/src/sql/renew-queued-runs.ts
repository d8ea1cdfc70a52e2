import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import type { RunAttempt } from "./filter-queued-runs.js";
import { isUuid } from "./uuid.js";

/**
 * Gives queued runs a new attempt (and so a new job id), fenced: only runs still `queued` at
 * the attempt the caller saw are bumped. For a queued run whose job already ended in the queue
 * (BullMQ gave up on it): re-adding the same job id would be a no-op. Returns the runs bumped,
 * with their new attempt.
 */
export async function renewQueuedRuns(db: StoreDb, runs: readonly RunAttempt[]): Promise<RunAttempt[]> {
  const wanted = runs.filter((run) => isUuid(run.runId));
  if (wanted.length === 0) return [];
  const result = await db.execute<{ id: string; attempt: number }>(sql`
    with renewed as (
      update almanac.runs r set attempt = r.attempt + 1
      from unnest(${sql.param(wanted.map((run) => run.runId))}::uuid[], ${sql.param(wanted.map((run) => run.attempt))}::int[]) as w(id, attempt)
      where r.id = w.id and r.attempt = w.attempt and r.status = 'queued'
      returning r.id, r.attempt
    ), events as (
      insert into almanac.run_events (run_id, level, message)
      select id, 'warn', 'its queue job ended without running it: queued again as attempt ' || attempt from renewed
    )
    select id, attempt from renewed`);
  return result.rows.map((row) => ({ runId: row.id, attempt: row.attempt }));
}
