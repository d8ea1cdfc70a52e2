import { AlmanacError } from "@almanac/errors";
import type { BackfillPolicy } from "@almanac/project";
import { listBackfillFailedPartitions, storeDb } from "@almanac/store";
import { planBackfill } from "./backfill-plan.js";
import {
  backfillNotifications,
  isFinalBackfillStatus,
  refreshBackfillStatus,
  unknownBackfill,
} from "./backfill-progress.js";
import type { EngineContext } from "./engine-context.js";
import { type RecordedBackfill, recordBackfill } from "./record-backfill.js";
import { resolveRunRequest } from "./run-request.js";

export interface RetryBackfillOptions {
  /** For key validation; pass the clock at the edge. */
  readonly now: Date;
}

/**
 * Retries a finished backfill as a NEW backfill linked to it (`parentId`), over the partitions
 * it left failed — failed or skipped in one of its runs and not mended since by another run —
 * with the same selection and policy. A key is retried when any of its asset partitions
 * failed; the new runs redo every selected model for it. Failed non-partitioned models (a
 * summary table) are rebuilt too, even when no partition failed. The old backfill keeps its
 * history and its status.
 *
 * @throws AlmanacError ALMANAC_UNKNOWN_BACKFILL; ALMANAC_BAD_REQUEST when the backfill is still
 *   running (cancel it or wait) or left nothing failed.
 */
export async function retryBackfill(
  ctx: EngineContext,
  backfillId: string,
  options: RetryBackfillOptions,
): Promise<RecordedBackfill> {
  const db = storeDb(ctx.store);
  const refreshed = await refreshBackfillStatus(db, backfillId, backfillNotifications(ctx));
  if (!refreshed) throw unknownBackfill(backfillId);
  const parent = refreshed.row;
  if (!isFinalBackfillStatus(parent.status)) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `backfill ${backfillId} is still ${parent.status}: wait for it to finish, or cancel it, then retry`,
      { backfillId, status: parent.status },
    );
  }
  const failed = await listBackfillFailedPartitions(db, backfillId);
  const failedKeys = new Set(failed.filter((p) => p.partitionKey !== "").map((p) => p.partitionKey));
  const unpartitionedFailed = failed.some((p) => p.partitionKey === "");
  if (failedKeys.size === 0 && !unpartitionedFailed) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `backfill ${backfillId} left no failed partition to retry`, {
      backfillId,
    });
  }
  const resolved = resolveRunRequest(
    ctx.project,
    { select: parent.selection, from: parent.partitionFrom ?? undefined, to: parent.partitionTo ?? undefined },
    options.now,
  );
  const keys = resolved.keys.filter((key) => failedKeys.has(key));
  const policy: BackfillPolicy =
    parent.policy === "single_run"
      ? { type: "single_run" }
      : { type: "multi_run", maxPartitionsPerRun: parent.maxPartitionsPerRun ?? 1 };
  return recordBackfill(ctx.store, {
    request: resolved,
    policy,
    only: "failed",
    parentId: backfillId,
    from: keys[0] ?? parent.partitionFrom ?? undefined,
    to: keys.at(-1) ?? parent.partitionTo ?? undefined,
    partitions: keys.length,
    runs: planBackfill(ctx.project, resolved, keys, policy, { unpartitionedWithoutKeys: unpartitionedFailed }),
  });
}
