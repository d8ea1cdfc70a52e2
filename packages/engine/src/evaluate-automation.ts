import { isAlmanacError } from "@almanac/errors";
import { type PartitionsDefinition, partitionIndex } from "@almanac/partitions";
import { partitionsOf } from "@almanac/project";
import {
  type AutomationCandidate,
  type AutomationUpdate,
  automationCandidates,
  claimAutomation,
  type RunCause,
  storeDb,
  takeAutomationUpdates,
} from "@almanac/store";
import { candidateInput, candidateKeys, followersOf } from "./automation-targets.js";
import type { EngineContext } from "./engine-context.js";
import { planRequest } from "./materialize-selection.js";
import { lockSubmissions, recordRun } from "./submit-run.js";

export interface AutomationPass {
  /** Updates taken (and deleted) in this pass; a full batch means more may be waiting. */
  readonly updates: number;
  /** Runs recorded, queued in Postgres: the caller enqueues them after this returns. */
  readonly runs: readonly AutomationRun[];
  /** Requests that could not be planned (a key the project no longer has, …), for the log. */
  readonly skipped: readonly string[];
}

export interface AutomationRun {
  readonly runId: string;
  readonly attempt: number;
  readonly asset: string;
  readonly from?: string;
  readonly to?: string;
}

/** Updates taken per pass (one transaction). */
export const automationBatchSize = 200;

/** How many upstream ranges a run's cause lists; a backfill's worth of hours is summarized by the first. */
const causeLimit = 20;

/**
 * One automation pass (DESIGN §5 `automation: eager`): takes a batch of updates, and for each
 * eager asset that follows them requests the partitions now due, all in one transaction, so
 * the updates are gone exactly when their runs are recorded. Several servers may run passes at
 * once: `skip locked` splits the updates, and each asset's submission lock plus its claims
 * (the upstream update each partition last answered) make each update request a partition once.
 *
 * A partition is due when something it reads was updated after its last materialization and
 * after the update its last request answered, every upstream partition it waits for is
 * materialized, none is queued or running, and it is not queued or running itself.
 */
export async function evaluateAutomation(ctx: EngineContext, options: { readonly now: Date }): Promise<AutomationPass> {
  const { project } = ctx;
  const client = await ctx.store.connect();
  try {
    await client.query("begin");
    const db = storeDb(client);
    const updates = await takeAutomationUpdates(db, automationBatchSize);
    const targets = dueCandidates(ctx, updates, options.now);
    await lockSubmissions(client, [...targets.keys()]);
    const runs: AutomationRun[] = [];
    const skipped: string[] = [];
    for (const [asset, byKey] of targets) {
      const rows = await automationCandidates(db, candidateInput(project, asset, [...byKey.keys()], options.now));
      const due = rows.filter(isDue);
      const def = partitionsOf(project, asset);
      for (const stretch of dueStretches(def, due)) {
        const cause: RunCause = {
          rule: `assets[${project.automation.get(asset)?.rule}].automation: eager`,
          upstream: causeOf(stretch.map((row) => byKey.get(row.key) ?? [])),
        };
        const from = def ? stretch[0]?.key : undefined;
        const to = def ? stretch.at(-1)?.key : undefined;
        let planned: ReturnType<typeof planRequest>;
        try {
          planned = planRequest(project, { select: asset, ...(from && to ? { from, to } : {}) }, options.now);
        } catch (error) {
          if (!isAlmanacError(error)) throw error;
          skipped.push(`${asset} ${from ?? ""}..${to ?? ""}: ${error.message}`);
          continue;
        }
        const runId = await recordRun(client, planned.resolved, planned.steps, { trigger: "automation", cause });
        const claims = stretch.map((row) => ({ key: row.key, causeAt: row.causeAt as Date }));
        await claimAutomation(db, { asset, runId, claims });
        runs.push({ runId, attempt: 0, asset, ...(from && to ? { from, to } : {}) });
      }
    }
    await client.query("commit");
    return { updates: updates.length, runs, skipped };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Eager asset → candidate key → the updates that made it a candidate. */
function dueCandidates(
  ctx: EngineContext,
  updates: readonly AutomationUpdate[],
  now: Date,
): Map<string, Map<string, AutomationUpdate[]>> {
  const targets = new Map<string, Map<string, AutomationUpdate[]>>();
  for (const update of updates) {
    for (const asset of followersOf(ctx.project, update.assetKey)) {
      let keys: string[];
      try {
        keys = candidateKeys(ctx.project, asset, update, now);
      } catch (error) {
        // An update of keys the project no longer has (its definition changed): nothing follows.
        if (isAlmanacError(error)) continue;
        throw error;
      }
      const byKey = targets.get(asset) ?? new Map<string, AutomationUpdate[]>();
      for (const key of keys) byKey.set(key, [...(byKey.get(key) ?? []), update]);
      if (byKey.size > 0) targets.set(asset, byKey);
    }
  }
  return targets;
}

function isDue(row: AutomationCandidate): boolean {
  if (row.status === "queued" || row.status === "running") return false;
  if (!row.ready || row.busy || row.causeAt === null) return false;
  const cause = row.causeAt.getTime();
  if (row.materializedAt !== null && row.materializedAt.getTime() >= cause) return false;
  return row.claimedCauseAt === null || row.claimedCauseAt.getTime() < cause;
}

/** Due rows in key order, cut into contiguous stretches: one run each. */
function dueStretches(
  def: PartitionsDefinition | undefined,
  due: readonly AutomationCandidate[],
): AutomationCandidate[][] {
  if (!def) return due.length > 0 ? [[...due]] : [];
  const indexed = due.map((row) => ({ row, index: partitionIndex(def, row.key) })).sort((a, b) => a.index - b.index);
  const stretches: AutomationCandidate[][] = [];
  let previous = Number.NaN;
  for (const { row, index } of indexed) {
    const last = stretches.at(-1);
    if (last && index === previous + 1) last.push(row);
    else stretches.push([row]);
    previous = index;
  }
  return stretches;
}

/** The distinct upstream ranges behind a stretch, oldest update first, at most `causeLimit`. */
function causeOf(updates: readonly (readonly AutomationUpdate[])[]): RunCause["upstream"] {
  const seen = new Map<number, AutomationUpdate>();
  for (const list of updates) for (const update of list) seen.set(update.id, update);
  return [...seen.values()]
    .sort((a, b) => a.id - b.id)
    .slice(0, causeLimit)
    .map((update) => ({
      asset: update.assetKey,
      ...(update.partitionFrom && update.partitionTo ? { from: update.partitionFrom, to: update.partitionTo } : {}),
    }));
}
