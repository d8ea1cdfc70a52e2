import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/** A queued run as the reconciler sees it: enough to name its job. */
export interface QueuedRunRef {
  readonly runId: string;
  /** The attempt its job id derives from (`run.<id>.<attempt>`). */
  readonly attempt: number;
  readonly createdAt: Date;
  /** `created_at` as Postgres prints it, microseconds included: the exact keyset cursor (a Date keeps only ms). */
  readonly cursor: string;
}

export interface ListQueuedRunsOptions {
  /** Keyset cursor: only runs after this one in (created_at, id) order. Default: from the oldest. */
  readonly after?: Pick<QueuedRunRef, "runId" | "cursor">;
  /** Only runs created before this instant (the reconciler skips runs whose enqueue may be in flight). */
  readonly createdBefore?: Date;
  /** Page size. Default 1 000. */
  readonly limit?: number;
}

/**
 * One page of the queued runs that are owed a job now, oldest first: the reconciler walks every
 * page to compare Postgres with the queue, so thousands of queued runs cost a few short queries.
 *
 * A run of a backfill is owed a job only once no run of an earlier wave of its backfill (created
 * before it) is still queued or running — the rule of `backfillRunGate`. Later waves wait in
 * Postgres without a job by design (a worker hands each wave out as the previous one ends), so
 * enqueueing them early would only park jobs. A run behind a failed wave is owed one: its
 * worker records it skipped, should the worker that saw the failure have died first.
 */
export async function listQueuedRuns(db: StoreDb, options: ListQueuedRunsOptions = {}): Promise<QueuedRunRef[]> {
  const after = options.after
    ? sql`and (r.created_at, r.id) > (${options.after.cursor}::timestamptz, ${options.after.runId}::uuid)`
    : sql``;
  const before = options.createdBefore
    ? sql`and r.created_at < ${options.createdBefore.toISOString()}::timestamptz`
    : sql``;
  const result = await db.execute<{ id: string; attempt: number; created_at: string | Date; cursor: string }>(sql`
    with open_waves as (
      select backfill_id, min(created_at) as opened_at from almanac.runs
      where backfill_id in (select backfill_id from almanac.runs where status = 'queued' and backfill_id is not null)
        and status in ('queued', 'running')
      group by backfill_id
    )
    select r.id, r.attempt, r.created_at, r.created_at::text as cursor from almanac.runs r
    left join open_waves w on w.backfill_id = r.backfill_id
    where r.status = 'queued' and (r.backfill_id is null or r.created_at <= w.opened_at) ${after} ${before}
    order by r.created_at, r.id
    limit ${options.limit ?? 1_000}`);
  return result.rows.map((row) => ({
    runId: row.id,
    attempt: row.attempt,
    createdAt: new Date(row.created_at),
    cursor: row.cursor,
  }));
}
