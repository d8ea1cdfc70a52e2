import { cancelBackfillRuns, getBackfill, storeDb } from "@almanac/store";
import { type BackfillProgress, getBackfillProgress, unknownBackfill } from "./backfill-progress.js";
import type { EngineContext } from "./engine-context.js";

/**
 * Cancels a backfill: its queued runs are canceled at once (their partitions go back to what
 * they were), its running runs stop after their current step, as `cancelRun` does for one
 * run — in one statement for all of them. The backfill becomes `canceled` once nothing of it
 * runs any more. A finished backfill is left as it is. Returns its progress after the request.
 *
 * @throws AlmanacError ALMANAC_UNKNOWN_BACKFILL
 */
export async function cancelBackfill(ctx: EngineContext, backfillId: string): Promise<BackfillProgress> {
  const db = storeDb(ctx.store);
  if (!(await getBackfill(db, backfillId))) throw unknownBackfill(backfillId);
  await cancelBackfillRuns(db, backfillId);
  return getBackfillProgress(ctx, backfillId);
}
