import { overlapMapping, type PartitionsDefinition, type TimeWindowMapping } from "@almanac/partitions";
import { unknownAsset } from "./relation.js";
import type { Project } from "./types.js";

/**
 * The partitions definition model `modelName` is partitioned by (its `partitions` config, or
 * the almanac.yml asset rule that selected it), or undefined for an unpartitioned model.
 * Throws ALMANAC_UNKNOWN_ASSET.
 */
export function partitionsOf(project: Project, modelName: string): PartitionsDefinition | undefined {
  const model = project.models.get(modelName);
  if (model === undefined) throw unknownAsset(project, modelName);
  const name = model.config.partitions;
  return name === undefined ? undefined : project.partitions.get(name);
}

/**
 * How partitions of `asset` map to those of `upstream`, one of its dependencies: the almanac.yml
 * `deps:` mapping when one is set, otherwise overlap.
 */
export function partitionMappingOf(project: Project, asset: string, upstream: string): TimeWindowMapping {
  return project.partitionMappings.get(asset)?.get(upstream) ?? overlapMapping;
}
