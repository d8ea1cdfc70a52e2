import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** A run to hand to the queue: its job id derives from both. */
export interface RunToStart {
  readonly runId: string;
  readonly attempt: number;
}

export interface ReadyBackfillRunsOptions {
  /**
   * Only runs of a later wave than this run of the backfill: what became startable when it
   * finished, without handing out its own wave again. Default: every wave.
   */
  readonly laterThanRunId?: string;
}

/**
 * The queued runs of a backfill that may start now, oldest partition first: those of the
 * earliest wave that still holds a run which has not succeeded. A later wave starts only when
 * every earlier run succeeded, so a failed or canceled run leaves the waves after it waiting
 * for `skipBlockedBackfillRuns`, never started on missing input.
 */
export async function readyBackfillRuns(
  db: StoreDb,
  backfillId: string,
  options: ReadyBackfillRunsOptions = {},
): Promise<RunToStart[]> {
  if (!isUuid(backfillId)) return [];
  if (options.laterThanRunId !== undefined && !isUuid(options.laterThanRunId)) return [];
  const later =
    options.laterThanRunId === undefined
      ? sql``
      : sql`and created_at > (select created_at from almanac.runs where id = ${options.laterThanRunId})`;
  const result = await db.execute<{ id: string; attempt: number }>(sql`
    with of_backfill as (
      select id, attempt, status, created_at, partition_from from almanac.runs where backfill_id = ${backfillId}
    ), open_wave as (
      select min(created_at) as created_at from of_backfill where status <> 'succeeded'
    )
    select id, attempt from of_backfill
    where status = 'queued' and created_at = (select created_at from open_wave) ${later}
    order by partition_from nulls first, id`);
  return result.rows.map((row) => ({ runId: row.id, attempt: row.attempt }));
}
