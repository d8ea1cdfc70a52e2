import { and, eq, sql } from "drizzle-orm";
import { runSteps } from "../schema/index.js";
import type { StepStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface FinishStepInput {
  readonly runId: string;
  readonly idx: number;
  readonly status: Exclude<StepStatus, "queued" | "running">;
  /** Rows inserted or merged; null when the materialization cannot tell (views). */
  readonly rowsWritten?: number | null;
  /** Rows the window-scoped delete removed. */
  readonly rowsDeleted?: number | null;
  /** The SQL that ran; keep it at least for failures so people see what Postgres rejected. */
  readonly renderedSql?: string | null;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
}

/** Records a step's outcome and stamps `finished_at`. Returns false for an unknown step. */
export async function finishStep(db: StoreDb, input: FinishStepInput): Promise<boolean> {
  if (!isUuid(input.runId)) return false;
  const rows = await db
    .update(runSteps)
    .set({
      status: input.status,
      finishedAt: sql`now()`,
      rowsWritten: input.rowsWritten ?? null,
      rowsDeleted: input.rowsDeleted ?? null,
      renderedSql: input.renderedSql ?? null,
      errorCode: input.errorCode ?? null,
      errorMessage: input.errorMessage ?? null,
    })
    .where(and(eq(runSteps.runId, input.runId), eq(runSteps.idx, input.idx)))
    .returning({ idx: runSteps.idx });
  return rows.length > 0;
}
