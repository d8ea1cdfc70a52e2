/**
 * The upstream partitions an asset's staleness is decided against (DESIGN §3.6, pure): a
 * partition is stale when any partition it maps to was materialized after it — the same key of
 * a same-definition upstream, the hours of a day, the six days before a rolling day, the day
 * before of a running total, and any materialization of an upstream without partitions.
 */

import { type PartitionsDefinition, upstreamKeysOf } from "@almanac/partitions";
import { type Project, partitionMappingOf, partitionsOf, upstreamOf } from "@almanac/project";
import type { MappedUpstreamRange, StalenessUpstream } from "@almanac/store";
import { partitionedParents } from "./mapped-keys.js";
import { sourcePartitionsOf, sourcesReadBy } from "./source-partitions.js";

/** What `keys` of `asset` read upstream, in the form the store's status statements take. */
export function stalenessUpstream(project: Project, asset: string, keys: readonly string[]): StalenessUpstream {
  const own = partitionsOf(project, asset);
  const unpartitioned = upstreamOf(project, asset).filter((key) => partitionsOf(project, key) === undefined);
  // A non-partitioned asset reads every partition of its upstreams: any later one counts.
  if (!own) {
    return { unpartitioned: upstreamOf(project, asset), wholeSources: sourcesReadBy(project, asset) };
  }
  const sameKey: string[] = [];
  const mapped: MappedUpstreamRange[] = [];
  for (const parent of partitionedParents(project, asset)) {
    const def = partitionsOf(project, parent.asset);
    const mapping = partitionMappingOf(project, asset, parent.asset);
    if (!def) continue;
    if (!parent.self && def.name === own.name && mapping.startOffset === 0 && mapping.endOffset === 0) {
      sameKey.push(parent.asset);
      continue;
    }
    for (const key of keys) {
      const read = upstreamKeysOf(own, { from: key, to: key }, def, mapping);
      if (read) mapped.push({ key, asset: parent.asset, ...read });
    }
  }
  return { sameKey, unpartitioned, mapped, ...sourceReads(project, asset, own, keys) };
}

/**
 * The source partitions `keys` read, by overlap with the source's definition; a source without
 * one (or one whose definition cannot be told) is read whole.
 */
function sourceReads(
  project: Project,
  asset: string,
  own: PartitionsDefinition,
  keys: readonly string[],
): Pick<StalenessUpstream, "sources" | "wholeSources"> {
  const sources: MappedUpstreamRange[] = [];
  const wholeSources: string[] = [];
  for (const sourceKey of sourcesReadBy(project, asset)) {
    let def: PartitionsDefinition | undefined;
    try {
      def = sourcePartitionsOf(project, sourceKey);
    } catch {
      def = undefined;
    }
    if (!def) {
      wholeSources.push(sourceKey);
      continue;
    }
    for (const key of keys) {
      const read = upstreamKeysOf(own, { from: key, to: key }, def);
      if (read) sources.push({ key, asset: sourceKey, ...read });
    }
  }
  return { sources, wholeSources };
}
