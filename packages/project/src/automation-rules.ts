import { partitionsOf } from "./model-partitions.js";
import type { Project } from "./types.js";
import type { YamlFile } from "./yaml-file.js";

/**
 * Refuses automation with nothing to follow: an unpartitioned asset that reads no partitioned
 * model and no source with partitions would be requested by every update of anything it reads
 * and by nothing in particular; a schedule says better when it should run. A partitioned asset
 * always has partitions to follow, even when all it reads is a source reported whole.
 */
export function checkAutomation(project: Project, file: YamlFile | undefined): void {
  if (file === undefined) return;
  for (const [asset, { rule }] of project.automation) {
    if (partitionsOf(project, asset) || readsPartitioned(project, asset)) continue;
    const at = ["assets", rule, "automation"];
    throw file.error(
      at,
      `assets[${rule}].automation: model "${asset}" is not partitioned and reads nothing partitioned, so it has no partitions to follow; partition it, or run it on a schedule`,
    );
  }
}

function readsPartitioned(project: Project, asset: string): boolean {
  const model = project.models.get(asset);
  if (!model) return false;
  if (model.refs.some((ref) => project.models.has(ref) && partitionsOf(project, ref))) return true;
  return model.sources.some(([source, table]) => {
    const key = `${source}.${table}`;
    if (project.sourcePartitions.has(key)) return true;
    // A source read by a partitioned model is reported in that model's definition.
    return [...project.models.values()].some(
      (reader) => reader.sources.some(([s, t]) => `${s}.${t}` === key) && partitionsOf(project, reader.name),
    );
  });
}
