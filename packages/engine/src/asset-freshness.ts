import { lastPartitionKey, type PartitionsDefinition, windowForKey } from "@almanac/partitions";
import { type FreshnessPolicy, type Project, partitionsOf, subscribersOf } from "@almanac/project";
import { claimOverduePartition, partitionStatusesOf, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";

/** Where an asset with `freshness:` stands at `now`. */
export interface AssetFreshness {
  readonly assetKey: string;
  /** As written in almanac.yml (`26h`). */
  readonly maxLag: string;
  /** The latest partition: the last complete window at `now`; null before the first window ends. */
  readonly partition: string | null;
  /** When that window ended. */
  readonly windowEnd: Date | null;
  /** Window end + max_lag: past it, a latest partition not materialized is overdue. */
  readonly deadline: Date | null;
  readonly overdue: boolean;
}

/**
 * The latest partition an asset is judged by and its deadline: the last window that has ended
 * at `now` (whatever the definition's `end_offset`: an open window cannot be late), and that
 * window's end plus the lag. Pure: `now` is an argument.
 */
export function freshnessDeadline(
  definition: PartitionsDefinition,
  policy: FreshnessPolicy,
  now: Date,
): { partition: string; windowEnd: Date; deadline: Date } | undefined {
  const partition = lastPartitionKey({ ...definition, endOffset: 0 }, now);
  if (partition === undefined) return undefined;
  const windowEnd = windowForKey(definition, partition).end.toJSDate();
  return { partition, windowEnd, deadline: new Date(windowEnd.getTime() + policy.maxLagMs) };
}

/**
 * Freshness of every asset that has a policy (or only `only`), in DAG order: one store lookup
 * for all of their latest partitions. An asset is overdue when `now` is at or past the
 * deadline and its latest partition has never materialized (a failed re-run of a partition
 * that has data does not make it overdue: the data is there).
 */
export async function assetFreshness(ctx: EngineContext, now: Date, only?: string): Promise<AssetFreshness[]> {
  const policies = freshnessPolicies(ctx.project, only);
  const deadlines = policies.map(({ assetKey, policy, definition }) => ({
    assetKey,
    policy,
    due: freshnessDeadline(definition, policy, now),
  }));
  const stored = await partitionStatusesOf(
    storeDb(ctx.store),
    deadlines.flatMap(({ assetKey, due }) => (due ? [{ assetKey, partitionKey: due.partition }] : [])),
  );
  const materialized = new Set(
    stored.filter((row) => row.materializedAt !== null).map((row) => `${row.assetKey}\u0000${row.partitionKey}`),
  );
  return deadlines.map(({ assetKey, policy, due }) => ({
    assetKey,
    maxLag: policy.maxLag,
    partition: due?.partition ?? null,
    windowEnd: due?.windowEnd ?? null,
    deadline: due?.deadline ?? null,
    overdue:
      due !== undefined &&
      now.getTime() >= due.deadline.getTime() &&
      !materialized.has(`${assetKey}\u0000${due.partition}`),
  }));
}

/**
 * One freshness check (the server runs it periodically): claims each overdue asset partition
 * and, with the claim, writes its `asset_overdue` notifications. Several servers may check at
 * once: the claim is an insert, so each (asset, partition) is claimed, and notified, once.
 * Returns the newly claimed ones.
 */
export async function checkFreshness(ctx: EngineContext, now: Date): Promise<AssetFreshness[]> {
  const notify = subscribersOf(ctx.project.notifications ?? [], "asset_overdue");
  const claimed: AssetFreshness[] = [];
  for (const asset of await assetFreshness(ctx, now)) {
    if (!asset.overdue || asset.partition === null || asset.windowEnd === null || asset.deadline === null) continue;
    const fresh = await claimOverduePartition(storeDb(ctx.store), {
      assetKey: asset.assetKey,
      partitionKey: asset.partition,
      windowEnd: asset.windowEnd,
      deadline: asset.deadline,
      maxLag: asset.maxLag,
      notify,
    });
    if (fresh) claimed.push(asset);
  }
  return claimed;
}

function freshnessPolicies(
  project: Project,
  only: string | undefined,
): { assetKey: string; policy: FreshnessPolicy; definition: PartitionsDefinition }[] {
  const policies = project.freshness ?? new Map<string, FreshnessPolicy>();
  return project.order.flatMap((assetKey) => {
    const policy = policies.get(assetKey);
    const definition =
      policy && (only === undefined || only === assetKey) ? partitionsOf(project, assetKey) : undefined;
    return policy && definition ? [{ assetKey, policy, definition }] : [];
  });
}
