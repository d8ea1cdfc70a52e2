import { and, asc, eq, gt } from "drizzle-orm";
import type { RunEventRow } from "../row-types.js";
import { runEvents } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface ListRunEventsOptions {
  /** Only events after this id (the last id of the previous page). */
  readonly afterId?: number;
  /** Default 1,000. */
  readonly limit?: number;
}

/** A run's events in order, one page at a time. */
export async function listRunEvents(
  db: StoreDb,
  runId: string,
  options: ListRunEventsOptions = {},
): Promise<RunEventRow[]> {
  if (!isUuid(runId)) return [];
  return db
    .select()
    .from(runEvents)
    .where(
      and(eq(runEvents.runId, runId), options.afterId === undefined ? undefined : gt(runEvents.id, options.afterId)),
    )
    .orderBy(asc(runEvents.id))
    .limit(options.limit ?? 1_000);
}
