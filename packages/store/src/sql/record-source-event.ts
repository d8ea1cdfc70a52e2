import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { automationUpdateInsert } from "./automation-updates.js";

export interface NewSourceEvent {
  readonly sourceKey: string;
  /** The definition and inclusive key range reported; all three absent for the whole table. */
  readonly partitionsDef?: string;
  readonly partitionFrom?: string;
  readonly partitionTo?: string;
  readonly reportedBy: string;
}

export interface SourceEventRow extends NewSourceEvent {
  readonly id: number;
  readonly reportedAt: Date;
}

/**
 * Records that a source table got new data; Postgres's clock stamps it, like every status.
 * With `followed` (an eager asset reads the source), the automation update that wakes it is
 * recorded in the same statement.
 */
export async function recordSourceEvent(
  db: StoreDb,
  event: NewSourceEvent,
  options: { readonly followed?: boolean } = {},
): Promise<SourceEventRow> {
  const update = { assetKey: event.sourceKey, partitionFrom: event.partitionFrom, partitionTo: event.partitionTo };
  const result = await db.execute<{ id: string; reported_at: string }>(sql`
    with event as (
      insert into almanac.source_events (source_key, partitions_def, partition_from, partition_to, reported_by)
      values (${event.sourceKey}, ${event.partitionsDef ?? null}, ${event.partitionFrom ?? null},
              ${event.partitionTo ?? null}, ${event.reportedBy})
      returning id, reported_at
    )${options.followed ? sql`, followed as (${automationUpdateInsert(update)})` : sql``}
    select id, reported_at from event`);
  const row = result.rows[0];
  if (!row) throw new Error("insert into almanac.source_events returned no row");
  return { ...event, id: Number(row.id), reportedAt: new Date(row.reported_at) };
}
