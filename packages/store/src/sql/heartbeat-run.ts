import { and, eq, sql } from "drizzle-orm";
import { runs } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface HeartbeatRunInput {
  readonly runId: string;
  /** The attempt `startRun` returned. */
  readonly attempt: number;
}

/**
 * Stamps `heartbeat_at` of a running run. Returns null when this attempt no longer owns the
 * run (it finished, or the reconciler handed it to a newer attempt): the worker should stop.
 * Otherwise tells whether a cancel was requested.
 */
export async function heartbeatRun(
  db: StoreDb,
  input: HeartbeatRunInput,
): Promise<{ cancelRequested: boolean } | null> {
  if (!isUuid(input.runId)) return null;
  const [row] = await db
    .update(runs)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(runs.id, input.runId), eq(runs.status, "running"), eq(runs.attempt, input.attempt)))
    .returning({ cancelRequested: runs.cancelRequested });
  return row ?? null;
}
