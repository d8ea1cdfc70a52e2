/**
 * Which partitions each asset of a request runs when the selection mixes partitions
 * definitions (pure). The request's keys belong to the definition of its most downstream
 * partitioned assets; every other asset runs the partitions the mappings give, walking the DAG
 * upstream (`+events_daily` for March: 31 days, and the 743 New York hours they read).
 */
import {
  type KeyRange,
  type PartitionsDefinition,
  partitionIndex,
  partitionKeysInRange,
  upstreamKeysOf,
} from "@almanac/partitions";
import { type Project, partitionMappingOf, partitionsOf, upstreamOf } from "@almanac/project";

/** A partitioned dependency of an asset: the model, and the mapping that applies to it. */
export interface PartitionedParent {
  readonly asset: string;
  /** The dependency is the asset itself, reading its earlier partitions. */
  readonly self: boolean;
}

/**
 * The partitioned models `asset` reads: its refs, and through models that are not partitioned
 * (ephemeral ones are inlined into it), the partitioned models those read; plus the asset
 * itself when almanac.yml gives it a self-dependency.
 */
export function partitionedParents(project: Project, asset: string): PartitionedParent[] {
  const parents: PartitionedParent[] = [];
  const seen = new Set<string>();
  const stack = [...upstreamOf(project, asset)];
  while (stack.length > 0) {
    const upstream = stack.pop() as string;
    if (seen.has(upstream)) continue;
    seen.add(upstream);
    if (partitionsOf(project, upstream)) parents.push({ asset: upstream, self: false });
    else if (project.models.get(upstream)?.config.materialized === "ephemeral")
      stack.push(...upstreamOf(project, upstream));
  }
  if (project.partitionMappings.get(asset)?.has(asset)) parents.push({ asset, self: true });
  return parents;
}

/** Contiguous stretches of sorted keys of one definition. */
export function stretchesOf(def: PartitionsDefinition, keys: readonly string[]): KeyRange[] {
  const ranges: KeyRange[] = [];
  let previous = Number.NaN;
  for (const key of keys) {
    const index = partitionIndex(def, key);
    const last = ranges.at(-1);
    if (last && index === previous + 1) ranges[ranges.length - 1] = { from: last.from, to: key };
    else ranges.push({ from: key, to: key });
    previous = index;
  }
  return ranges;
}

/**
 * The keys of `upstream` that `keys` of `downstream` read, in key order (empty when the
 * mapping leaves none in the upstream's range).
 */
export function upstreamKeys(
  project: Project,
  downstream: string,
  keys: readonly string[],
  upstream: string,
): string[] {
  const downDef = partitionsOf(project, downstream);
  const upDef = partitionsOf(project, upstream);
  if (!downDef || !upDef) return [];
  const mapping = partitionMappingOf(project, downstream, upstream);
  const found = new Set<string>();
  for (const range of stretchesOf(downDef, keys)) {
    const read = upstreamKeysOf(downDef, range, upDef, mapping);
    if (read) for (const key of partitionKeysInRange(upDef, read.from, read.to)) found.add(key);
  }
  return sortedKeys(upDef, found);
}

function sortedKeys(def: PartitionsDefinition, keys: Iterable<string>): string[] {
  return [...keys]
    .map((key) => [partitionIndex(def, key), key] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, key]) => key);
}

/**
 * For each partitioned model of `models` (upstream first), the keys it runs: `keys` of `def`
 * for the roots — the partitioned models no other selected partitioned model reads — mapped by
 * overlap when a root has another definition (only when the request named `def` itself); for
 * the others, the union of what their selected readers map to. A self-dependency does not add
 * keys: a running total for 03-11 reads the stored 03-10, it does not rebuild it.
 */
export function mapRequestKeys(
  project: Project,
  models: readonly string[],
  def: PartitionsDefinition,
  keys: readonly string[],
): Map<string, string[]> {
  const partitioned = models.filter((model) => partitionsOf(project, model));
  const selected = new Set(partitioned);
  const readers = new Map<string, string[]>();
  for (const model of partitioned) {
    for (const parent of partitionedParents(project, model)) {
      if (parent.self || !selected.has(parent.asset)) continue;
      readers.set(parent.asset, [...(readers.get(parent.asset) ?? []), model]);
    }
  }
  const byAsset = new Map<string, string[]>();
  for (const model of [...partitioned].reverse()) {
    const own = partitionsOf(project, model) as PartitionsDefinition;
    const modelReaders = readers.get(model) ?? [];
    if (modelReaders.length === 0) {
      byAsset.set(model, own.name === def.name ? [...keys] : overlapKeys(def, keys, own));
      continue;
    }
    const found = new Set<string>();
    for (const reader of modelReaders) {
      for (const key of upstreamKeys(project, reader, byAsset.get(reader) ?? [], model)) found.add(key);
    }
    byAsset.set(model, sortedKeys(own, found));
  }
  return byAsset;
}

/** Keys of `to` whose windows overlap keys of `from`. */
function overlapKeys(from: PartitionsDefinition, keys: readonly string[], to: PartitionsDefinition): string[] {
  const found = new Set<string>();
  for (const range of stretchesOf(from, keys)) {
    const read = upstreamKeysOf(from, range, to);
    if (read) for (const key of partitionKeysInRange(to, read.from, read.to)) found.add(key);
  }
  return sortedKeys(to, found);
}
