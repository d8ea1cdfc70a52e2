import type { BackfillProgress, BackfillSummary } from "@almanac/engine";

/**
 * Backfills as the API shows them: dates as ISO strings. The response schemas in
 * `schemas/backfills.ts` describe these shapes.
 */

export function backfillSummaryJson(backfill: BackfillSummary) {
  return {
    id: backfill.id,
    status: backfill.status,
    selection: backfill.selection,
    assetKeys: [...backfill.assetKeys],
    partitionsDef: backfill.partitionsDef,
    from: backfill.from,
    to: backfill.to,
    policy: backfill.policy,
    maxPartitionsPerRun: backfill.maxPartitionsPerRun,
    only: backfill.only,
    parentId: backfill.parentId,
    partitions: backfill.partitions,
    runs: backfill.runs,
    createdAt: backfill.createdAt.toISOString(),
    startedAt: backfill.startedAt?.toISOString() ?? null,
    finishedAt: backfill.finishedAt?.toISOString() ?? null,
  };
}

export function backfillJson(backfill: BackfillProgress) {
  return { ...backfillSummaryJson(backfill), counts: backfill.counts };
}
