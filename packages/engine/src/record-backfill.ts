import { randomUUID } from "node:crypto";
import type { BackfillPolicy } from "@almanac/project";
import {
  createBackfill,
  createRuns,
  markPartitionBatchesQueued,
  type NewRunRecord,
  type PartitionBatch,
  type RunToStart,
  storeDb,
  updateBackfill,
} from "@almanac/store";
import type pg from "pg";
import type { BackfillOnly } from "./backfill-only.js";
import type { PlannedBackfillRun } from "./backfill-plan.js";
import type { ResolvedRequest } from "./run-request.js";

/** A planned backfill, ready to be written. */
export interface BackfillRecord {
  readonly request: ResolvedRequest;
  readonly policy: BackfillPolicy;
  readonly only?: BackfillOnly;
  readonly parentId?: string;
  /** Inclusive range recorded on the backfill. */
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** Partition keys targeted (after `only`). */
  readonly partitions: number;
  readonly runs: readonly PlannedBackfillRun[];
}

/** What was recorded: the backfill, how big it is, and the runs of its first wave. */
export interface RecordedBackfill {
  readonly backfillId: string;
  readonly partitions: number;
  readonly runs: number;
  /** Runs that may start now (the first wave), for the caller to enqueue. */
  readonly ready: readonly RunToStart[];
}

/**
 * Writes the backfill, all its runs and steps, and every asset partition they target as
 * `queued`, in one store transaction of a handful of set-based statements: all or nothing, and
 * 3,650 runs cost the same round trips as one. Submissions for the same assets are serialized
 * with `requestRun`'s (one advisory lock per asset, held until commit), so a run request that
 * arrives meanwhile sees either none of the backfill or all of it.
 */
export async function recordBackfill(store: pg.Pool, record: BackfillRecord): Promise<RecordedBackfill> {
  const client = await store.connect();
  try {
    await client.query("begin");
    const assets = [...record.request.models].sort();
    await client.query(
      "select count(pg_advisory_xact_lock(hashtextextended('almanac:submit:' || a, 0))) from unnest($1::text[]) as a",
      [assets],
    );
    const db = storeDb(client);
    const { backfillId } = await createBackfill(db, {
      selection: record.request.select,
      assetKeys: record.request.models,
      partitionsDef: record.request.partitions?.name,
      partitionFrom: record.from,
      partitionTo: record.to,
      policy: record.policy.type,
      maxPartitionsPerRun: record.policy.type === "multi_run" ? (record.policy.maxPartitionsPerRun ?? 1) : null,
      onlyStatus: record.only,
      parentId: record.parentId,
      partitionCount: record.partitions,
    });
    const runs = record.runs.map((run) => newRun(backfillId, record.request, run));
    await createRuns(db, runs);
    await markPartitionBatchesQueued(
      db,
      runs.flatMap((run, i) => partitionBatches(run.id, record.runs[i] as PlannedBackfillRun)),
    );
    // Nothing to do (only=missing over a complete range) is a backfill that is already done.
    await updateBackfill(db, {
      backfillId,
      runCount: runs.length,
      status: runs.length === 0 ? "completed" : undefined,
    });
    await client.query("commit");
    // Not Math.min(...waves): 100,000 arguments would overflow the stack.
    const firstWave = runs.reduce((min, run) => Math.min(min, run.wave ?? 0), Number.POSITIVE_INFINITY);
    return {
      backfillId,
      partitions: record.partitions,
      runs: runs.length,
      ready: runs.filter((run) => run.wave === firstWave).map((run) => ({ runId: run.id, attempt: 0 })),
    };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function newRun(backfillId: string, request: ResolvedRequest, run: PlannedBackfillRun): NewRunRecord {
  const partitioned = run.partitionKeys.length > 0;
  return {
    id: randomUUID(),
    selection: request.select,
    assetKeys: [...new Set(run.steps.filter((step) => !step.seed).map((step) => step.assetKey))],
    partitionsDef: partitioned ? request.partitions?.name : null,
    partitionFrom: run.partitionKeys[0] ?? null,
    partitionTo: run.partitionKeys.at(-1) ?? null,
    trigger: "backfill",
    backfillId,
    wave: run.wave,
    steps: run.steps.map((step) => ({
      assetKey: step.assetKey,
      partitionFrom: step.partitionFrom,
      partitionTo: step.partitionTo,
    })),
  };
}

/** The asset partitions a run writes: its chunk for each partitioned step, '' for the other models. */
function partitionBatches(runId: string, run: PlannedBackfillRun): PartitionBatch[] {
  return run.steps
    .filter((step) => !step.seed)
    .map((step) => ({
      runId,
      assetKey: step.assetKey,
      partitionKeys: step.partitionKeys.length > 0 ? step.partitionKeys : [""],
    }));
}
