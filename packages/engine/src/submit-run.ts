import { createRun, markPartitionsQueued, type RunCause, type RunTrigger, storeDb } from "@almanac/store";
import type pg from "pg";
import type { PlannedStep } from "./plan-run.js";
import type { ResolvedRequest } from "./run-request.js";

export type { RunTrigger };

export interface SubmitOptions {
  readonly trigger: RunTrigger;
  readonly backfillId?: string;
  /** Why an `automation` run ran. */
  readonly cause?: RunCause;
  /**
   * When every asset partition of the request is already queued or running in one run, return
   * that run instead of recording a second writer (DESIGN §3.4). Default false.
   */
  readonly joinExisting?: boolean;
}

export interface SubmittedRun {
  readonly runId: string;
  /** The run's attempt now (0 for a new run); job ids derive from it. */
  readonly attempt: number;
  /** True when the request joined a run that was already queued or running. */
  readonly existing: boolean;
}

/**
 * Records a planned run and marks every partition it will write as queued, in one store
 * transaction: a run is either fully recorded or not at all. With `joinExisting`, submissions
 * for the same assets are serialized (an advisory lock per asset, held until commit) so six
 * concurrent requests for one partition find each other and share one run.
 */
export async function submitRun(
  store: pg.Pool,
  request: ResolvedRequest,
  steps: readonly PlannedStep[],
  options: SubmitOptions,
): Promise<SubmittedRun> {
  const partitions = queuedPartitions(steps);
  const client = await store.connect();
  try {
    await client.query("begin");
    if (options.joinExisting) {
      const existing = await findCoveringRun(client, partitions);
      if (existing) {
        await client.query("commit");
        return { ...existing, existing: true };
      }
    }
    const runId = await recordRun(client, request, steps, options);
    await client.query("commit");
    return { runId, attempt: 0, existing: false };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Records a planned run and marks its partitions queued, on a client whose transaction the
 * caller owns (`submitRun`'s, or automation's, which claims the partitions in the same one).
 */
export async function recordRun(
  client: pg.PoolClient,
  request: ResolvedRequest,
  steps: readonly PlannedStep[],
  options: Pick<SubmitOptions, "trigger" | "backfillId" | "cause">,
): Promise<string> {
  const partitions = queuedPartitions(steps);
  const db = storeDb(client);
  const { runId } = await createRun(db, {
    selection: request.select,
    assetKeys: [...partitions.keys()],
    partitionsDef: request.partitions?.name,
    partitionFrom: request.keys[0],
    partitionTo: request.keys[request.keys.length - 1],
    trigger: options.trigger,
    cause: options.cause,
    backfillId: options.backfillId,
    steps: steps.map((s) => ({ assetKey: s.assetKey, partitionFrom: s.partitionFrom, partitionTo: s.partitionTo })),
  });
  for (const [assetKey, keys] of partitions) {
    await markPartitionsQueued(db, { runId, assetKey, partitionKeys: keys });
  }
  return runId;
}

/**
 * Takes the submission lock of each asset (sorted, so two submitters never wait on each other
 * in a circle) until the transaction ends: submissions that may join a run, and automation's
 * evaluations, of the same assets take turns.
 */
export async function lockSubmissions(client: pg.PoolClient, assets: readonly string[]): Promise<void> {
  await client.query(
    "select count(pg_advisory_xact_lock(hashtextextended('almanac:submit:' || a, 0))) from unnest($1::text[]) as a",
    [[...assets].sort()],
  );
}

/** The one active run that holds every requested asset partition as queued or running, if any. */
async function findCoveringRun(
  client: pg.PoolClient,
  partitions: ReadonlyMap<string, readonly string[]>,
): Promise<{ runId: string; attempt: number } | undefined> {
  await lockSubmissions(client, [...partitions.keys()]);
  const pairs = [...partitions].flatMap(([asset, keys]) => keys.map((key) => [asset, key] as const));
  const { rows } = await client.query<{ run_id: string; attempt: number }>(
    `select ap.run_id, r.attempt
       from unnest($1::text[], $2::text[]) as wanted(asset_key, partition_key)
       join almanac.asset_partitions ap using (asset_key, partition_key)
       join almanac.runs r on r.id = ap.run_id
      where ap.status in ('queued', 'running') and r.status in ('queued', 'running')
      group by ap.run_id, r.attempt
     having count(*) = $3`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), pairs.length],
  );
  const row = rows[0];
  return row ? { runId: row.run_id, attempt: row.attempt } : undefined;
}

function queuedPartitions(steps: readonly PlannedStep[]): Map<string, string[]> {
  const byAsset = new Map<string, string[]>();
  for (const step of steps) {
    if (step.seed) continue;
    const keys = byAsset.get(step.assetKey) ?? [];
    keys.push(...(step.partitionKeys.length > 0 ? step.partitionKeys : [""]));
    byAsset.set(step.assetKey, keys);
  }
  return byAsset;
}
