import { AlmanacError } from "@almanac/errors";
import { countPartitions, type PartitionsDefinition } from "@almanac/partitions";
import { subscribersOf } from "@almanac/project";
import {
  type BackfillRow,
  type BackfillStatus,
  type BackfillStepCount,
  backfillRunCounts,
  backfillStepCounts,
  backfillsRunCounts,
  completeBackfill,
  getBackfill,
  listBackfills,
  type RunStatus,
  type StepStatus,
  type StoreDb,
  storeDb,
  updateBackfill,
} from "@almanac/store";
import type { EngineContext } from "./engine-context.js";

/** Asset partitions of a backfill per status: one per selected partitioned model and key, one per other model or seed. */
export interface BackfillPartitionCounts {
  readonly queued: number;
  readonly running: number;
  readonly materialized: number;
  /** Failed, or skipped because something upstream failed. */
  readonly failed: number;
  /** Given back by a cancel before they ran. */
  readonly canceled: number;
  readonly total: number;
}

export interface BackfillRunCounts extends Record<RunStatus, number> {
  readonly total: number;
}

/** A backfill as listed: what it covers, its status and its runs per status. */
export interface BackfillSummary {
  readonly id: string;
  readonly status: BackfillStatus;
  readonly selection: string;
  readonly assetKeys: readonly string[];
  readonly partitionsDef: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly policy: "single_run" | "multi_run";
  readonly maxPartitionsPerRun: number | null;
  readonly only: string | null;
  /** The backfill this one retries. */
  readonly parentId: string | null;
  /** Partition keys targeted (after `only`). */
  readonly partitions: number;
  readonly runs: BackfillRunCounts;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** DESIGN §5 `GET /api/backfills/:id`: the backfill, its status, and its asset partitions per status. */
export interface BackfillProgress extends BackfillSummary {
  readonly counts: BackfillPartitionCounts;
}

const finalStatuses: readonly BackfillStatus[] = ["completed", "completed_with_failures", "canceled"];

/** Whether a backfill status is one it never leaves. */
export function isFinalBackfillStatus(status: BackfillStatus): boolean {
  return finalStatuses.includes(status);
}

/**
 * A backfill's status from its runs: `requested` until one starts, `running` while any is
 * queued or running, then `canceled` if any run was canceled, `completed_with_failures` if any
 * failed (skipped runs count as failed), else `completed`. No runs at all is `completed`.
 */
export function backfillStatusOf(runs: Record<RunStatus, number>): BackfillStatus {
  const unfinished = runs.queued + runs.running;
  const finished = runs.succeeded + runs.failed + runs.canceled;
  if (unfinished > 0) return runs.running > 0 || finished > 0 ? "running" : "requested";
  if (runs.canceled > 0) return "canceled";
  return runs.failed > 0 ? "completed_with_failures" : "completed";
}

/**
 * Brings the backfill row's status in line with its runs and returns the row, or null for an
 * unknown id. Cheap enough to call after every run: one count query, and a write only when the
 * status changes. A final status is never changed again. The look that completes the backfill
 * (a worker after its last run, or a server reading it) writes its `backfill_completed`
 * notifications with the status, once.
 *
 * @param notify - the notifications subscribed to `backfill_completed` ({@link backfillNotifications}).
 */
export async function refreshBackfillStatus(
  db: StoreDb,
  backfillId: string,
  notify: readonly string[],
): Promise<{ row: BackfillRow; runs: Record<RunStatus, number> } | null> {
  const row = await getBackfill(db, backfillId);
  if (!row) return null;
  const runs = await backfillRunCounts(db, backfillId);
  if (isFinalBackfillStatus(row.status)) return { row, runs };
  const status = backfillStatusOf(runs);
  if (status === row.status) return { row, runs };
  // completeBackfill stamps started_at when no look saw it running: it was running all the same.
  const updated =
    status === "completed" || status === "completed_with_failures"
      ? await completeBackfill(db, { backfillId, status, notify })
      : await updateBackfill(db, { backfillId, status });
  return { row: updated ?? (await getBackfill(db, backfillId)) ?? row, runs };
}

/** A backfill with its status and counts. @throws AlmanacError ALMANAC_UNKNOWN_BACKFILL */
export async function getBackfillProgress(ctx: EngineContext, backfillId: string): Promise<BackfillProgress> {
  const db = storeDb(ctx.store);
  const refreshed = await refreshBackfillStatus(db, backfillId, backfillNotifications(ctx));
  if (!refreshed) throw unknownBackfill(backfillId);
  const definition = refreshed.row.partitionsDef ? ctx.project.partitions.get(refreshed.row.partitionsDef) : undefined;
  const counts = partitionCounts(await backfillStepCounts(db, backfillId), definition);
  return { ...backfillSummaryOf(refreshed.row, refreshed.runs), counts };
}

/**
 * Backfills, newest first, each with its status brought in line with its runs (one count query
 * for the page, a write only for a status that changed).
 */
export async function listBackfillSummaries(
  ctx: EngineContext,
  options: { readonly limit?: number } = {},
): Promise<BackfillSummary[]> {
  const db = storeDb(ctx.store);
  const rows = await listBackfills(db, { limit: options.limit });
  const runCounts = await backfillsRunCounts(
    db,
    rows.map((row) => row.id),
  );
  const summaries: BackfillSummary[] = [];
  for (const row of rows) {
    const runs = runCounts.get(row.id) ?? (await backfillRunCounts(db, row.id));
    const derived = backfillStatusOf(runs);
    const current =
      isFinalBackfillStatus(row.status) || derived === row.status
        ? row
        : ((await refreshBackfillStatus(db, row.id, backfillNotifications(ctx)))?.row ?? row);
    summaries.push(backfillSummaryOf(current, runs));
  }
  return summaries;
}

/** The notifications subscribed to `backfill_completed`. */
export function backfillNotifications(ctx: EngineContext): string[] {
  return subscribersOf(ctx.project.notifications ?? [], "backfill_completed");
}

function backfillSummaryOf(row: BackfillRow, runs: Record<RunStatus, number>): BackfillSummary {
  const total = runs.queued + runs.running + runs.succeeded + runs.failed + runs.canceled;
  return {
    id: row.id,
    status: row.status,
    selection: row.selection,
    assetKeys: row.assetKeys,
    partitionsDef: row.partitionsDef,
    from: row.partitionFrom,
    to: row.partitionTo,
    policy: row.policy,
    maxPartitionsPerRun: row.maxPartitionsPerRun,
    only: row.onlyStatus,
    parentId: row.parentId,
    partitions: row.partitionCount,
    runs: { ...runs, total },
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

export function unknownBackfill(backfillId: string): AlmanacError {
  return new AlmanacError("ALMANAC_UNKNOWN_BACKFILL", `no backfill with id ${backfillId}`, { backfillId });
}

const partitionStatusOfStep: Record<StepStatus, keyof Omit<BackfillPartitionCounts, "total">> = {
  queued: "queued",
  running: "running",
  succeeded: "materialized",
  failed: "failed",
  // A skipped step's partitions are marked failed in the store ("skipped because upstream … failed").
  skipped: "failed",
  canceled: "canceled",
};

/** Steps grouped by status and range, turned into asset partitions per status. */
function partitionCounts(
  groups: readonly BackfillStepCount[],
  definition: PartitionsDefinition | undefined,
): BackfillPartitionCounts {
  const counts = { queued: 0, running: 0, materialized: 0, failed: 0, canceled: 0, total: 0 };
  const sizes = new Map<string, number>();
  for (const group of groups) {
    const size = group.partitionFrom && group.partitionTo ? rangeSize(definition, group, sizes) : 1;
    counts[partitionStatusOfStep[group.status]] += size * group.steps;
    counts.total += size * group.steps;
  }
  return counts;
}

function rangeSize(
  definition: PartitionsDefinition | undefined,
  group: BackfillStepCount,
  sizes: Map<string, number>,
): number {
  const from = group.partitionFrom as string;
  const to = group.partitionTo as string;
  if (from === to || !definition) return 1;
  const key = `${from}\u0000${to}`;
  let size = sizes.get(key);
  if (size === undefined) {
    size = countPartitions(definition, from, to);
    sizes.set(key, size);
  }
  return size;
}
