import type { BackfillPolicy, Project } from "@almanac/project";
import { partitionsOf } from "@almanac/project";
import { mapRequestKeys, upstreamKeys } from "./mapped-keys.js";
import { chunkSteps, type PlannedStep, planRun } from "./plan-run.js";
import type { ResolvedRequest } from "./run-request.js";

/** One run of a backfill: a wave number, the partition keys it covers, its steps in order. */
export interface PlannedBackfillRun {
  /**
   * Runs of wave n start once every run of the waves before it succeeded. A backfill has, in
   * order: non-partitioned models the partitioned ones read (one run), the partition runs, the
   * non-partitioned models that read them (one run) — more when the DAG alternates.
   */
  readonly wave: number;
  /** Keys of the run's chunk, in order; empty for a run of non-partitioned models. */
  readonly partitionKeys: readonly string[];
  readonly steps: readonly PlannedStep[];
}

export interface BackfillPlanOptions {
  /**
   * Plan the non-partitioned models even when no partition key is selected (a retry whose only
   * failure was a summary table). Default false: no key, nothing to do.
   */
  readonly unpartitionedWithoutKeys?: boolean;
}

/** A stretch of the DAG in plan order: seeds and models run once, or partitioned models run per chunk. */
interface Segment {
  readonly partitioned: boolean;
  readonly models: string[];
  readonly seeds: string[];
}

/**
 * Splits a backfill into runs (pure). `keys` are the selected partition keys, a subset of
 * `request.keys` in the same order: they are cut into contiguous stretches (a key missing from
 * `keys` splits the range), then each stretch into chunks — the whole stretch for `single_run`,
 * at most `maxPartitionsPerRun` keys for `multi_run`. Every partition run holds every
 * partitioned model of its segment over its chunk (planRun: one step per model, so the window
 * spans the chunk and a downstream model follows its upstream). Non-partitioned models are
 * not repeated per run: each group of them is one run of its own, in its own wave (DESIGN §3.7).
 */
export function planBackfill(
  project: Project,
  request: ResolvedRequest,
  keys: readonly string[],
  policy: BackfillPolicy,
  options: BackfillPlanOptions = {},
): PlannedBackfillRun[] {
  const chunks = chunksOf(request.keys, keys, policy);
  if (chunks.length === 0 && !options.unpartitionedWithoutKeys) return [];
  const runs: PlannedBackfillRun[] = [];
  let wave = 0;
  for (const segment of segmentsOf(project, request)) {
    if (!segment.partitioned) {
      const steps = planRun(project, { ...request, models: segment.models, seeds: segment.seeds, keys: [] });
      runs.push({ wave: wave++, partitionKeys: [], steps });
      continue;
    }
    if (chunks.length === 0) continue;
    const segmentRuns = planPartitionRuns(project, { ...request, models: segment.models, seeds: [] }, chunks);
    for (const run of segmentRuns) runs.push({ ...run, wave: wave + run.wave });
    wave += 1 + Math.max(...segmentRuns.map((run) => run.wave));
  }
  return runs;
}

/**
 * The partition runs of one segment, one per chunk, with waves relative to the segment. Each
 * upstream partition is planned once, in the first run whose keys map to it; a run that reads
 * partitions another run writes (a rolling week's first days, a running total's day before)
 * goes in a later wave than that run. Without such reads every run is in wave 0 and they all
 * execute side by side.
 */
function planPartitionRuns(
  project: Project,
  request: ResolvedRequest,
  chunks: readonly string[][],
): PlannedBackfillRun[] {
  const def = request.partitions;
  const planned = new Map<string, Set<string>>();
  const writer = new Map<string, number>(); // `${asset}\0${key}` → index of the run that writes it
  const runs: PlannedBackfillRun[] = [];
  for (const chunk of chunks) {
    const index = runs.length;
    let wave = 0;
    // What the chunk's models run, mapped once: for the steps, and (with self-reads) for its wave.
    const needed = def ? mapRequestKeys(project, request.models, def, chunk) : new Map<string, string[]>();
    for (const [asset, keys] of readsOf(project, needed)) {
      for (const key of keys) {
        const earlier = writer.get(`${asset}\0${key}`);
        if (earlier !== undefined) wave = Math.max(wave, (runs[earlier]?.wave ?? 0) + 1);
      }
    }
    const steps = chunkSteps(project, { ...request, keys: chunk }, request.models, needed, planned, chunk.length);
    for (const step of steps) {
      for (const key of step.partitionKeys) writer.set(`${step.assetKey}\0${key}`, index);
    }
    runs.push({ wave, partitionKeys: chunk, steps });
  }
  return runs;
}

/** Every (asset, keys) a run reads or writes: the keys it runs (`needed`), and self-dependency reads. */
function readsOf(project: Project, needed: ReadonlyMap<string, readonly string[]>): Map<string, readonly string[]> {
  const reads = new Map(needed);
  for (const [asset, keys] of needed) {
    if (project.partitionMappings.get(asset)?.has(asset)) {
      reads.set(asset, [...keys, ...upstreamKeys(project, asset, keys, asset)]);
    }
  }
  return reads;
}

/**
 * The DAG cut where planRun cuts it: planning the request for a single key gives its order —
 * non-partitioned models before the partitioned ones that read them, after those they read —
 * and each change between the two kinds starts a new segment.
 */
function segmentsOf(project: Project, request: ResolvedRequest): Segment[] {
  const probe = request.keys.slice(0, 1);
  const segments: Segment[] = [];
  for (const step of planRun(project, { ...request, keys: probe })) {
    const partitioned = !step.seed && partitionsOf(project, step.assetKey) !== undefined;
    let last = segments.at(-1);
    if (!last || last.partitioned !== partitioned) {
      last = { partitioned, models: [], seeds: [] };
      segments.push(last);
    }
    const names = step.seed ? last.seeds : last.models;
    if (!names.includes(step.assetKey)) names.push(step.assetKey);
  }
  return segments;
}

/** Contiguous stretches of `selected` within `all`, each cut into chunks per the policy. */
function chunksOf(all: readonly string[], selected: readonly string[], policy: BackfillPolicy): string[][] {
  const position = new Map(all.map((key, index) => [key, index]));
  const stretches: string[][] = [];
  let previous = Number.NaN;
  for (const key of selected) {
    const index = position.get(key);
    if (index === undefined) continue;
    const current = stretches.at(-1);
    if (current && index === previous + 1) current.push(key);
    else stretches.push([key]);
    previous = index;
  }
  if (policy.type === "single_run") return stretches;
  const size = Math.max(1, policy.maxPartitionsPerRun ?? 1);
  return stretches.flatMap((stretch) => {
    const chunks: string[][] = [];
    for (let i = 0; i < stretch.length; i += size) chunks.push(stretch.slice(i, i + size));
    return chunks;
  });
}
