import { partitionKeysInRange } from "@almanac/partitions";
import { type Project, partitionsOf, upstreamOf } from "@almanac/project";
import { mapRequestKeys, stretchesOf } from "./mapped-keys.js";
import type { ResolvedRequest } from "./run-request.js";

/** One step of a run: one model over one contiguous chunk of partitions (or unpartitioned), or one seed. */
export interface PlannedStep {
  readonly assetKey: string;
  /** True for a seed's load: it has no partitions, so nothing is queued or recorded for it. */
  readonly seed?: true;
  /** Inclusive chunk bounds; both undefined for a non-partitioned model. */
  readonly partitionFrom?: string;
  readonly partitionTo?: string;
  /** Keys of the chunk, in order; empty for a non-partitioned model. */
  readonly partitionKeys: readonly string[];
}

export interface PlanOptions {
  /**
   * Partitions per step of a partitioned model: the whole range (`single_run`: one window from
   * the first key's start to the last key's end) or chunks of this size. Default 1.
   */
  readonly maxPartitionsPerStep?: number;
  /**
   * Keys already given a step, per model, by earlier runs of the same backfill: not planned
   * again, and filled with this run's. Default: a fresh map (nothing planned yet).
   */
  readonly planned?: Map<string, Set<string>>;
}

/**
 * The steps of partitioned `models` (in DAG order) for one chunk of keys, given the keys each
 * model runs for it (`needed`, from `mapRequestKeys`): the keys no earlier chunk planned, which
 * are then marked in `planned`, cut into steps by each model's policy.
 */
export function chunkSteps(
  project: Project,
  request: ResolvedRequest,
  models: readonly string[],
  needed: ReadonlyMap<string, readonly string[]>,
  planned: Map<string, Set<string>>,
  chunkSize: number,
): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const assetKey of models) {
    const done = planned.get(assetKey) ?? new Set<string>();
    planned.set(assetKey, done);
    const fresh = (needed.get(assetKey) ?? []).filter((key) => !done.has(key));
    for (const key of fresh) done.add(key);
    for (const stepKeys of stepChunks(project, request, assetKey, fresh, chunkSize)) {
      steps.push({
        assetKey,
        partitionFrom: stepKeys[0],
        partitionTo: stepKeys[stepKeys.length - 1],
        partitionKeys: stepKeys,
      });
    }
  }
  return steps;
}

/**
 * Orders the steps of a run (pure). Partitioned models run partition-major: for each chunk of
 * the requested keys, every partitioned model in DAG order, so a downstream partition follows
 * the partitions of its upstream that it reads. A model of another definition than the keys
 * runs, in a chunk, the partitions the chunk maps to that no earlier chunk ran (the hours of a
 * day, once; the six days before a rolling week's first), cut into steps by its own backfill
 * policy (default one partition per step). A non-partitioned model runs once: before the
 * partitioned ones when they read it (a staging view), after them when it reads them (a summary
 * table). That is what DESIGN §3.7 asks: upstream models are built once, not once per partition.
 * The request's seeds load first, each in a step of its own: models are all downstream of seeds.
 */
export function planRun(project: Project, request: ResolvedRequest, options: PlanOptions = {}): PlannedStep[] {
  const chunkSize = Math.max(1, options.maxPartitionsPerStep ?? 1);
  const chunks = chunk(request.keys, chunkSize);
  const steps: PlannedStep[] = [];
  const planned = options.planned ?? new Map<string, Set<string>>(); // keys already given a step, per model
  let block: string[] = []; // partitioned models waiting to be emitted partition-major
  for (const seed of request.seeds) steps.push({ assetKey: seed, seed: true, partitionKeys: [] });

  const flush = () => {
    for (const keys of chunks) {
      const needed = request.partitions ? mapRequestKeys(project, block, request.partitions, keys) : new Map();
      steps.push(...chunkSteps(project, request, block, needed, planned, chunkSize));
    }
    block = [];
  };

  for (const model of request.models) {
    if (partitionsOf(project, model)) {
      block.push(model);
    } else {
      // A non-partitioned model may only run once everything it reads has run.
      if (dependsOnAny(project, model, new Set(block))) flush();
      steps.push({ assetKey: model, partitionKeys: [] });
    }
  }
  flush();
  return steps;
}

/**
 * A model's keys in one chunk, cut into steps: contiguous stretches, each cut into steps of the
 * request's chunk size for a model of the request's definition, else of the model's own
 * almanac.yml backfill policy (default one key per step).
 */
function stepChunks(
  project: Project,
  request: ResolvedRequest,
  model: string,
  keys: readonly string[],
  chunkSize: number,
): string[][] {
  const def = partitionsOf(project, model);
  if (!def || keys.length === 0) return [];
  const policy = project.backfillPolicies.get(model);
  const size =
    def.name === request.partitions?.name
      ? chunkSize
      : policy?.type === "single_run"
        ? Number.POSITIVE_INFINITY
        : Math.max(1, policy?.maxPartitionsPerRun ?? 1);
  const chunks: string[][] = [];
  for (const range of stretchesOf(def, keys)) {
    const stretch = partitionKeysInRange(def, range.from, range.to);
    for (let i = 0; i < stretch.length; i += size) chunks.push(stretch.slice(i, i + size));
  }
  return chunks;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Whether `model` reads any of `targets`, directly or through models (ephemeral ones included). */
function dependsOnAny(project: Project, model: string, targets: ReadonlySet<string>): boolean {
  if (targets.size === 0) return false;
  const seen = new Set<string>();
  const stack = [...upstreamOf(project, model)];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (targets.has(next)) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...upstreamOf(project, next));
  }
  return false;
}
