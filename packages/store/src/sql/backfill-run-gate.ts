import { sql } from "drizzle-orm";
import type { RunStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** Where a run of a backfill stands with respect to the earlier waves of its backfill. */
export interface BackfillRunGate {
  readonly backfillId: string;
  /** Runs of earlier waves still queued or running: the run must wait for them. */
  readonly waitingOn: number;
  /** The first run of an earlier wave that failed or was canceled: the run must not start at all. */
  readonly blockedBy: { readonly runId: string; readonly status: RunStatus; readonly assetKeys: string[] } | null;
}

/**
 * The gate of one run, in one query: null when the run is unknown or belongs to no backfill
 * (nothing to wait for). Waves are encoded in `created_at` (see `NewRunRecord.wave`), so
 * "earlier wave" is `created_at` strictly before the run's.
 */
export async function backfillRunGate(db: StoreDb, runId: string): Promise<BackfillRunGate | null> {
  if (!isUuid(runId)) return null;
  const result = await db.execute<{
    backfill_id: string;
    waiting_on: number;
    blocker_id: string | null;
    blocker_status: RunStatus | null;
    blocker_assets: string[] | null;
  }>(sql`
    select r.backfill_id,
      (select count(*)::int from almanac.runs s
        where s.backfill_id = r.backfill_id and s.created_at < r.created_at and s.status in ('queued', 'running')
      ) as waiting_on,
      b.id as blocker_id, b.status as blocker_status, b.asset_keys as blocker_assets
    from almanac.runs r
    left join lateral (
      select s.id, s.status, s.asset_keys from almanac.runs s
      where s.backfill_id = r.backfill_id and s.created_at < r.created_at and s.status in ('failed', 'canceled')
      order by s.created_at, s.partition_from nulls first
      limit 1
    ) b on true
    where r.id = ${runId} and r.backfill_id is not null`);
  const row = result.rows[0];
  if (!row) return null;
  return {
    backfillId: row.backfill_id,
    waitingOn: row.waiting_on,
    blockedBy:
      row.blocker_id && row.blocker_status
        ? { runId: row.blocker_id, status: row.blocker_status, assetKeys: row.blocker_assets ?? [] }
        : null,
  };
}
