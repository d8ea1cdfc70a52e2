import { type SQL, sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/** Partitions of an asset (or a `source.table`) that were just updated; no keys = all of it. */
export interface AutomationUpdateInput {
  readonly assetKey: string;
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
}

export interface AutomationUpdate extends AutomationUpdateInput {
  readonly id: number;
  readonly createdAt: Date;
}

/** The insert of one update, for statements that record it in the same round trip as what it reports. */
export function automationUpdateInsert(update: AutomationUpdateInput): SQL {
  return sql`insert into almanac.automation_updates (asset_key, partition_from, partition_to)
    values (${update.assetKey}, ${update.partitionFrom ?? null}, ${update.partitionTo ?? null})`;
}

/** Records one update on its own (a source event's, in its transaction). */
export async function recordAutomationUpdate(db: StoreDb, update: AutomationUpdateInput): Promise<void> {
  await db.execute(automationUpdateInsert(update));
}

/**
 * Takes up to `limit` updates, oldest first, deleting them: run it in the transaction that
 * requests what they cause, so a crash before commit leaves them for the next server, and
 * `skip locked` gives each update to one server.
 */
export async function takeAutomationUpdates(db: StoreDb, limit: number): Promise<AutomationUpdate[]> {
  const result = await db.execute<{
    id: string;
    asset_key: string;
    partition_from: string | null;
    partition_to: string | null;
    created_at: Date | string;
  }>(sql`
    delete from almanac.automation_updates
    where id in (
      select id from almanac.automation_updates order by id limit ${limit} for update skip locked
    )
    returning id, asset_key, partition_from, partition_to, created_at`);
  return result.rows
    .map((row) => ({
      id: Number(row.id),
      assetKey: row.asset_key,
      partitionFrom: row.partition_from,
      partitionTo: row.partition_to,
      createdAt: new Date(row.created_at),
    }))
    .sort((a, b) => a.id - b.id);
}
