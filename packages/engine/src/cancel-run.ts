import { AlmanacError } from "@almanac/errors";
import { type RunStatus, releaseRunPartitions, requestRunCancel, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";

/**
 * Cancels a run: a queued run is canceled at once and its partitions go back to what they
 * were; a running one is asked to stop after its current step (the worker honours it between
 * steps and releases what it never reached). A finished run is left as it is. Returns the
 * run's status after the request.
 */
export async function cancelRun(ctx: EngineContext, runId: string): Promise<RunStatus> {
  const db = storeDb(ctx.store);
  const status = await requestRunCancel(db, runId);
  if (status === null) throw new AlmanacError("ALMANAC_UNKNOWN_RUN", `no run with id ${runId}`);
  if (status === "canceled") await releaseRunPartitions(db, { runId });
  return status;
}
