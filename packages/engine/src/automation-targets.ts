/**
 * Which partitions of eager assets an update may make due, and what each waits for (pure).
 * An eager asset follows what it reads: its partitioned parents (through the mappings), the
 * unpartitioned models it reads, its sources, and itself — a run of its own that finished after
 * an upstream update it did not see asks again whether it is behind.
 */
import {
  countPartitions,
  downstreamKeysOf,
  firstPartitionKey,
  lastPartitionKey,
  type PartitionsDefinition,
  partitionIndex,
  partitionKeysInRange,
  upstreamKeysOf,
} from "@almanac/partitions";
import { type Project, partitionMappingOf, partitionsOf, upstreamOf } from "@almanac/project";
import type { AutomationCandidatesInput, AutomationUpdateInput, AutomationUpstreamRange } from "@almanac/store";
import { partitionedParents } from "./mapped-keys.js";
import { sourcePartitionsOf, sourcesReadBy } from "./source-partitions.js";

/** What one eager asset reads, sorted by kind. */
interface EagerReads {
  readonly partitioned: readonly string[];
  readonly unpartitioned: readonly string[];
  readonly sources: readonly string[];
}

interface AutomationGraph {
  /** Asset or `source.table` → the eager assets that follow it (an eager asset follows itself). */
  readonly followers: ReadonlyMap<string, readonly string[]>;
  readonly reads: ReadonlyMap<string, EagerReads>;
}

const graphs = new WeakMap<Project, AutomationGraph>();

function automationGraph(project: Project): AutomationGraph {
  const cached = graphs.get(project);
  if (cached) return cached;
  const followers = new Map<string, string[]>();
  const reads = new Map<string, EagerReads>();
  const follow = (key: string, asset: string) => {
    const list = followers.get(key) ?? [];
    if (!list.includes(asset)) list.push(asset);
    followers.set(key, list);
  };
  for (const asset of project.automation.keys()) {
    const partitioned = partitionedParents(project, asset)
      .filter((parent) => !parent.self)
      .map((parent) => parent.asset);
    const unpartitioned = upstreamOf(project, asset).filter(
      (key) => !partitionsOf(project, key) && project.models.get(key)?.config.materialized !== "ephemeral",
    );
    const sources = sourcesReadBy(project, asset);
    reads.set(asset, { partitioned, unpartitioned, sources });
    for (const key of [...partitioned, ...unpartitioned, ...sources, asset]) follow(key, asset);
  }
  const graph = { followers, reads };
  graphs.set(project, graph);
  return graph;
}

/** The eager assets an update of `key` (an asset or `source.table`) may make due. */
export function followersOf(project: Project, key: string): readonly string[] {
  return automationGraph(project).followers.get(key) ?? [];
}

/** The definition a model's or a source's keys belong to (none: unpartitioned, or reported whole). */
function definitionOf(project: Project, key: string): PartitionsDefinition | undefined {
  if (project.models.has(key)) return partitionsOf(project, key);
  try {
    return sourcePartitionsOf(project, key);
  } catch {
    return undefined;
  }
}

/**
 * The keys of eager `asset` that `update` may make due, up to its last complete partition at
 * `now`. An update without keys (an unpartitioned upstream rebuilt, a source reported whole)
 * makes only the latest partition due: history is for backfills.
 */
export function candidateKeys(project: Project, asset: string, update: AutomationUpdateInput, now: Date): string[] {
  const own = partitionsOf(project, asset);
  if (!own) return [""];
  const last = lastPartitionKey(own, now);
  if (last === undefined) return [];
  const upstreamDef = definitionOf(project, update.assetKey);
  const from = update.partitionFrom;
  const to = update.partitionTo;
  if (!upstreamDef || from == null || to == null) return [last];
  const mapping = update.assetKey === asset ? undefined : partitionMappingOf(project, asset, update.assetKey);
  const range = update.assetKey === asset ? { from, to } : downstreamKeysOf(upstreamDef, { from, to }, own, mapping);
  if (!range || partitionIndex(own, range.from) > partitionIndex(own, last)) return [];
  const end = partitionIndex(own, range.to) > partitionIndex(own, last) ? last : range.to;
  return partitionKeysInRange(own, range.from, end);
}

/**
 * What each of `keys` of eager `asset` waits for and is caused by, as the store's candidate
 * statement takes it: every mapped partition of a partitioned parent and the one partition of
 * an unpartitioned one must be materialized; an unpartitioned eager asset waits only while
 * anything it reads is queued or running (it reads every partition, most of which may never be
 * built); sources are always there, their events only cause.
 */
export function candidateInput(
  project: Project,
  asset: string,
  keys: readonly string[],
  now: Date,
): AutomationCandidatesInput {
  const reads = automationGraph(project).reads.get(asset) ?? { partitioned: [], unpartitioned: [], sources: [] };
  const own = partitionsOf(project, asset);
  const upstream: AutomationUpstreamRange[] = [];
  for (const parent of reads.partitioned) {
    const def = partitionsOf(project, parent) as PartitionsDefinition;
    if (!own) {
      const first = firstPartitionKey(def, now);
      const last = lastPartitionKey(def, now);
      if (first !== undefined && last !== undefined)
        upstream.push({ key: "", asset: parent, from: first, to: last, expected: null });
      continue;
    }
    const mapping = partitionMappingOf(project, asset, parent);
    for (const key of keys) {
      const read = upstreamKeysOf(own, { from: key, to: key }, def, mapping);
      if (read) upstream.push({ key, asset: parent, ...read, expected: countPartitions(def, read.from, read.to) });
    }
  }
  for (const parent of reads.unpartitioned) {
    for (const key of keys) upstream.push({ key, asset: parent, from: "", to: "", expected: own ? 1 : null });
  }
  const sources: AutomationUpstreamRange[] = [];
  const wholeSources: string[] = [];
  for (const source of reads.sources) {
    const def = definitionOf(project, source);
    if (!def || !own) {
      wholeSources.push(source);
      continue;
    }
    for (const key of keys) {
      const read = upstreamKeysOf(own, { from: key, to: key }, def);
      if (read) sources.push({ key, asset: source, ...read, expected: null });
    }
  }
  return { asset, keys, upstream, sources, wholeSources };
}
