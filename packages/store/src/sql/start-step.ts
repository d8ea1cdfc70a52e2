import { and, eq, sql } from "drizzle-orm";
import { runSteps } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface StartStepInput {
  readonly runId: string;
  readonly idx: number;
}

/** Marks a step `running` and stamps `started_at` (a retried step restarts its clock). Returns false for an unknown step. */
export async function startStep(db: StoreDb, input: StartStepInput): Promise<boolean> {
  if (!isUuid(input.runId)) return false;
  const rows = await db
    .update(runSteps)
    .set({
      status: "running",
      startedAt: sql`now()`,
      finishedAt: null,
      errorCode: null,
      errorMessage: null,
    })
    .where(and(eq(runSteps.runId, input.runId), eq(runSteps.idx, input.idx)))
    .returning({ idx: runSteps.idx });
  return rows.length > 0;
}
