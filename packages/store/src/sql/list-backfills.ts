import { desc, inArray } from "drizzle-orm";
import type { BackfillRow } from "../row-types.js";
import { backfills } from "../schema/index.js";
import type { BackfillStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

export interface ListBackfillsOptions {
  readonly statuses?: readonly BackfillStatus[];
  /** Default 50. */
  readonly limit?: number;
}

/** Backfills, newest first. */
export async function listBackfills(db: StoreDb, options: ListBackfillsOptions = {}): Promise<BackfillRow[]> {
  if (options.statuses?.length === 0) return [];
  return db
    .select()
    .from(backfills)
    .where(options.statuses === undefined ? undefined : inArray(backfills.status, [...options.statuses]))
    .orderBy(desc(backfills.createdAt), desc(backfills.id))
    .limit(options.limit ?? 50);
}
