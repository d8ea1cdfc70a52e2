import { AlmanacError } from "@almanac/errors";
import { countPartitions, lastPartitionKey } from "@almanac/partitions";
import { type Project, partitionsOf, upstreamOf } from "@almanac/project";
import { type DependencyMapping, dependencyMappings } from "./asset-dependencies.js";

/** What an asset is, apart from its partitions' statuses: the part `GET /api/assets` and the assets page share. */
export interface AssetDescription {
  readonly key: string;
  /** The model's materialization: view, table, incremental. */
  readonly materialized: string;
  readonly partitioned: boolean;
  /** Name of its partitions definition, when partitioned. */
  readonly partitionsDef: string | null;
  /** Models it reads (direct `ref`s). */
  readonly deps: readonly string[];
  /** How its partitions read each partitioned dependency (empty when it is not partitioned). */
  readonly mappings: readonly DependencyMapping[];
  readonly tags: readonly string[];
  /** Every partition up to the last one at `now` (1 for a non-partitioned asset). */
  readonly expectedPartitions: number;
}

/**
 * The stored assets of the project (ephemeral models are inlined, never stored), in DAG order,
 * or only `only`. @throws AlmanacError `ALMANAC_UNKNOWN_ASSET` for an unknown `only`.
 */
export function describeAssets(project: Project, now: Date, only?: string): AssetDescription[] {
  if (only !== undefined && !project.models.has(only)) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no model named "${only}" in project ${project.name}`);
  }
  const keys = (only === undefined ? project.order : [only]).filter(
    (key) => project.models.get(key)?.config.materialized !== "ephemeral",
  );
  return keys.map((key) => {
    const model = project.models.get(key);
    const partitions = partitionsOf(project, key);
    let expectedPartitions = 1;
    if (partitions) {
      const last = lastPartitionKey(partitions, now);
      const first = partitions.start.toFormat(partitions.format);
      expectedPartitions = last === undefined ? 0 : countPartitions(partitions, first, last);
    }
    return {
      key,
      materialized: model?.config.materialized ?? "view",
      partitioned: partitions !== undefined,
      partitionsDef: partitions?.name ?? null,
      deps: upstreamOf(project, key),
      mappings: dependencyMappings(project, key),
      tags: model?.config.tags ?? [],
      expectedPartitions,
    };
  });
}
