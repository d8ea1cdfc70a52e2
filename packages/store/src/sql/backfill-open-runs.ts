import { sql } from "drizzle-orm";
import type { BackfillStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** Whether a run's backfill still has work queued or running, as a finished run sees it. */
export interface BackfillOpenRuns {
  readonly backfillId: string;
  readonly backfillStatus: BackfillStatus;
  /** A run of the same wave (same `created_at`) is still queued or running. */
  readonly waveOpen: boolean;
  /** Any run of the backfill is still queued or running. */
  readonly anyOpen: boolean;
}

/**
 * What a run of a backfill needs to know once it finished, from the backfill's
 * `(backfill_id, status, created_at)` index rather than from all its runs: whether it was the
 * last of its wave (then the next wave may start) and whether any run is left (then the
 * backfill's status may change). Null for a run outside any backfill.
 */
export async function backfillOpenRuns(db: StoreDb, runId: string): Promise<BackfillOpenRuns | null> {
  if (!isUuid(runId)) return null;
  const result = await db.execute<{
    backfill_id: string;
    backfill_status: BackfillStatus;
    wave_open: boolean;
    any_open: boolean;
  }>(sql`
    select r.backfill_id, b.status as backfill_status,
      exists (select 1 from almanac.runs s where s.backfill_id = r.backfill_id
                and s.status in ('queued', 'running') and s.created_at = r.created_at) as wave_open,
      exists (select 1 from almanac.runs s where s.backfill_id = r.backfill_id
                and s.status in ('queued', 'running')) as any_open
    from almanac.runs r join almanac.backfills b on b.id = r.backfill_id
    where r.id = ${runId}`);
  const row = result.rows[0];
  if (!row) return null;
  return {
    backfillId: row.backfill_id,
    backfillStatus: row.backfill_status,
    waveOpen: row.wave_open,
    anyOpen: row.any_open,
  };
}
