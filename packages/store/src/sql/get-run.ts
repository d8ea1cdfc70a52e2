import { asc, eq } from "drizzle-orm";
import type { RunWithSteps } from "../row-types.js";
import { runSteps, runs } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** A run with its steps in order, or null when there is no such run (a malformed id included). */
export async function getRun(db: StoreDb, runId: string): Promise<RunWithSteps | null> {
  if (!isUuid(runId)) return null;
  const run = await db.query.runs.findFirst({
    where: eq(runs.id, runId),
    with: { steps: { orderBy: [asc(runSteps.idx)] } },
  });
  return run ?? null;
}
