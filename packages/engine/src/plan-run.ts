import { type Project, partitionsOf, upstreamOf } from "@almanac/project";
import type { ResolvedRequest } from "./run-request.js";

/** One step of a run: one model, over one contiguous chunk of partitions (or unpartitioned). */
export interface PlannedStep {
  readonly assetKey: string;
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
}

/**
 * Orders the steps of a run (pure). Partitioned models run partition-major: for each chunk,
 * every partitioned model in DAG order, so a downstream partition follows the same partition
 * of its upstream. A non-partitioned model runs once: before the partitioned ones when they
 * read it (a staging view), after them when it reads them (a summary table). That is what
 * DESIGN §3.7 asks: upstream models are built once, not once per partition.
 */
export function planRun(project: Project, request: ResolvedRequest, options: PlanOptions = {}): PlannedStep[] {
  const chunkSize = Math.max(1, options.maxPartitionsPerStep ?? 1);
  const chunks = chunk(request.keys, chunkSize);
  const steps: PlannedStep[] = [];
  let block: string[] = []; // partitioned models waiting to be emitted partition-major

  const flush = () => {
    for (const keys of chunks) {
      for (const assetKey of block) {
        steps.push({ assetKey, partitionFrom: keys[0], partitionTo: keys[keys.length - 1], partitionKeys: keys });
      }
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
