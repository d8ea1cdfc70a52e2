/**
 * How an asset's partitions read its partitioned dependencies, as people look at them (pure):
 * each dependency with its mapping for `GET /api/assets` and the asset page, and the upstream
 * partitions one partition reads, for the partition's links.
 */
import { type KeyRange, upstreamKeysOf } from "@almanac/partitions";
import { type Project, partitionMappingOf, partitionsOf } from "@almanac/project";
import { partitionedParents } from "./mapped-keys.js";

/** A partitioned dependency and its mapping (Dagster's names: identity, time window). */
export interface DependencyMapping {
  readonly asset: string;
  /** The dependency's partitions definition. */
  readonly partitions: string;
  /** `identity`: the same key of the same definition; `time_window`: overlapping windows, moved by the offsets. */
  readonly type: "identity" | "time_window";
  readonly startOffset: number;
  readonly endOffset: number;
}

/** The partitioned dependencies of a partitioned asset, itself included when it reads its own earlier partitions. */
export function dependencyMappings(project: Project, asset: string): DependencyMapping[] {
  const own = partitionsOf(project, asset);
  if (!own) return [];
  return partitionedParents(project, asset).map((parent) => {
    const def = partitionsOf(project, parent.asset);
    const { startOffset, endOffset } = partitionMappingOf(project, asset, parent.asset);
    const identity = !parent.self && def?.name === own.name && startOffset === 0 && endOffset === 0;
    return {
      asset: parent.asset,
      partitions: def?.name ?? "",
      type: identity ? "identity" : "time_window",
      startOffset,
      endOffset,
    };
  });
}

/** The upstream partitions partition `key` of `asset` reads, per dependency (none left out by clipping). */
export function upstreamPartitionsOf(project: Project, asset: string, key: string): (KeyRange & { asset: string })[] {
  const own = partitionsOf(project, asset);
  if (!own) return [];
  return dependencyMappings(project, asset).flatMap((dep) => {
    const def = partitionsOf(project, dep.asset);
    const range = def && upstreamKeysOf(own, { from: key, to: key }, def, dep);
    return range ? [{ asset: dep.asset, ...range }] : [];
  });
}
