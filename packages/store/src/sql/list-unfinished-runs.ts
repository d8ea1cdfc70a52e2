import { and, asc, inArray, lt, sql } from "drizzle-orm";
import type { RunRow } from "../row-types.js";
import { runs } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

export interface ListUnfinishedRunsOptions {
  /** Only runs with no sign of life (heartbeat, else creation) since this instant. Default: all. */
  readonly silentSince?: Date;
  /** Default 500. */
  readonly limit?: number;
}

/**
 * Queued and running runs, oldest first: what the reconciler compares with the queue to
 * re-enqueue work Redis lost, and to fail or retry runs whose worker died.
 */
export async function listUnfinishedRuns(db: StoreDb, options: ListUnfinishedRunsOptions = {}): Promise<RunRow[]> {
  return db
    .select()
    .from(runs)
    .where(
      and(
        inArray(runs.status, ["queued", "running"]),
        options.silentSince === undefined
          ? undefined
          : lt(sql`coalesce(${runs.heartbeatAt}, ${runs.createdAt})`, options.silentSince),
      ),
    )
    .orderBy(asc(runs.createdAt), asc(runs.id))
    .limit(options.limit ?? 500);
}
