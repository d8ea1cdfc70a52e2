import { createRun, markPartitionsQueued, storeDb } from "@almanac/store";
import type pg from "pg";
import type { PlannedStep } from "./plan-run.js";
import type { ResolvedRequest } from "./run-request.js";

export type RunTrigger = "cli" | "api" | "backfill" | "schedule";

/**
 * Records a planned run and marks every partition it will write as queued, in one store
 * transaction: a run is either fully recorded or not at all. Returns the run id.
 */
export async function submitRun(
  store: pg.Pool,
  request: ResolvedRequest,
  steps: readonly PlannedStep[],
  trigger: RunTrigger,
  backfillId?: string,
): Promise<string> {
  const client = await store.connect();
  try {
    await client.query("begin");
    const db = storeDb(client);
    const { runId } = await createRun(db, {
      selection: request.select,
      assetKeys: [...new Set(steps.map((s) => s.assetKey))],
      partitionsDef: request.partitions?.name,
      partitionFrom: request.keys[0],
      partitionTo: request.keys[request.keys.length - 1],
      trigger,
      backfillId,
      steps: steps.map((s) => ({ assetKey: s.assetKey, partitionFrom: s.partitionFrom, partitionTo: s.partitionTo })),
    });
    for (const [assetKey, keys] of queuedPartitions(steps)) {
      await markPartitionsQueued(db, { runId, assetKey, partitionKeys: keys });
    }
    await client.query("commit");
    return runId;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function queuedPartitions(steps: readonly PlannedStep[]): Map<string, string[]> {
  const byAsset = new Map<string, string[]>();
  for (const step of steps) {
    const keys = byAsset.get(step.assetKey) ?? [];
    keys.push(...(step.partitionKeys.length > 0 ? step.partitionKeys : [""]));
    byAsset.set(step.assetKey, keys);
  }
  return byAsset;
}
