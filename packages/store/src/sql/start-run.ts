import { and, eq, inArray, sql } from "drizzle-orm";
import type { RunRow } from "../row-types.js";
import { runs } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface StartRunInput {
  readonly runId: string;
  /** Who executes the run (host:pid, BullMQ worker id…), shown to people and to the reconciler. */
  readonly workerId: string;
}

/**
 * Moves a queued (or lost, re-enqueued) run to `running`, bumps its `attempt` and stamps the
 * heartbeat. The returned `attempt` is the fencing token for `heartbeatRun` and `finishRun`.
 * Returns null when the run is unknown or already final. Check `cancelRequested` on the result.
 */
export async function startRun(db: StoreDb, input: StartRunInput): Promise<RunRow | null> {
  if (!isUuid(input.runId)) return null;
  const [row] = await db
    .update(runs)
    .set({
      status: "running",
      startedAt: sql`coalesce(${runs.startedAt}, now())`,
      heartbeatAt: sql`now()`,
      workerId: input.workerId,
      attempt: sql`${runs.attempt} + 1`,
    })
    .where(and(eq(runs.id, input.runId), inArray(runs.status, ["queued", "running"])))
    .returning();
  return row ?? null;
}
