import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** A run at one attempt. */
export interface RunAttempt {
  readonly runId: string;
  readonly attempt: number;
}

/**
 * The runs of `runs` that are still `queued` at the given attempt, in one query. The reconciler
 * re-reads them just before enqueueing: a run a worker started meanwhile must not get a second
 * job, whose `startRun` would take the run over from the worker executing it.
 */
export async function filterQueuedRuns(db: StoreDb, runs: readonly RunAttempt[]): Promise<RunAttempt[]> {
  const wanted = runs.filter((run) => isUuid(run.runId));
  if (wanted.length === 0) return [];
  const result = await db.execute<{ id: string; attempt: number }>(sql`
    select r.id, r.attempt
    from unnest(${sql.param(wanted.map((run) => run.runId))}::uuid[], ${sql.param(wanted.map((run) => run.attempt))}::int[]) as w(id, attempt)
    join almanac.runs r on r.id = w.id and r.attempt = w.attempt
    where r.status = 'queued'`);
  return result.rows.map((row) => ({ runId: row.id, attempt: row.attempt }));
}
