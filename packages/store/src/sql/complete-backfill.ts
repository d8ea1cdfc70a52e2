import { sql } from "drizzle-orm";
import type { BackfillRow } from "../row-types.js";
import type { StoreDb } from "../store-db.js";
import { getBackfill } from "./get-backfill.js";
import { outboxInsert } from "./outbox-insert.js";
import { isUuid } from "./uuid.js";

export interface CompleteBackfillInput {
  readonly backfillId: string;
  readonly status: "completed" | "completed_with_failures";
  /** Notifications subscribed to `backfill_completed`: one outbox row each, in the same statement. Default none. */
  readonly notify?: readonly string[];
}

/**
 * Moves an unfinished backfill to `completed` or `completed_with_failures` (stamping
 * `started_at` if no look saw it running, and `finished_at`) and writes its
 * `backfill_completed` notifications in the same statement, with its runs per status. Only the
 * one call that makes the move writes them: returns null, writing nothing, when the backfill is
 * unknown or already final.
 */
export async function completeBackfill(db: StoreDb, input: CompleteBackfillInput): Promise<BackfillRow | null> {
  if (!isUuid(input.backfillId)) return null;
  const result = await db.execute<{ id: string }>(sql`
    with backfill as (
      update almanac.backfills
      set status = ${input.status}, started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()
      where id = ${input.backfillId} and status not in ('completed', 'completed_with_failures', 'canceled')
      returning id, status, asset_keys, partitions_def, partition_from, partition_to, partition_count
    )${outboxInsert(
      "outbox",
      input.notify,
      "backfill_completed",
      sql`(select jsonb_build_object(
          'backfillId', b.id, 'status', b.status, 'assets', to_jsonb(b.asset_keys),
          'partitionsDef', b.partitions_def, 'partitionFrom', b.partition_from, 'partitionTo', b.partition_to,
          'partitionCount', b.partition_count,
          'runs', (select jsonb_build_object(
              'succeeded', count(*) filter (where r.status = 'succeeded'),
              'failed', count(*) filter (where r.status = 'failed'),
              'canceled', count(*) filter (where r.status = 'canceled'),
              'total', count(*))
            from almanac.runs r where r.backfill_id = b.id)) as payload
        from backfill b)`,
    )}
    select id from backfill`);
  return result.rows.length === 0 ? null : getBackfill(db, input.backfillId);
}
