import { AlmanacError } from "@almanac/errors";
import { countPartitions, lastPartitionKey, type PartitionsDefinition } from "@almanac/partitions";
import { partitionsOf, upstreamOf } from "@almanac/project";
import { assetStatusCounts, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";

/** One asset as `GET /api/assets` shows it (DESIGN §5). */
export interface AssetSummary {
  readonly key: string;
  /** The model's materialization: view, table, incremental. */
  readonly materialized: string;
  readonly partitioned: boolean;
  /** Name of its partitions definition, when partitioned. */
  readonly partitionsDef: string | null;
  /** Models it reads (direct `ref`s). */
  readonly deps: readonly string[];
  readonly tags: readonly string[];
  readonly counts: {
    readonly materialized: number;
    readonly failed: number;
    readonly running: number;
    readonly queued: number;
    readonly missing: number;
  };
}

/**
 * Every materialized asset of the project (ephemeral models are inlined, never stored) with
 * its partition counts per status, in DAG order. One grouped store query for all assets;
 * `missing` is the definition's partition count up to the last partition at `now`, minus
 * what is stored (1 − stored for a non-partitioned asset).
 */
export async function assetSummaries(ctx: EngineContext, now: Date, only?: string): Promise<AssetSummary[]> {
  const { project } = ctx;
  if (only !== undefined && !project.models.has(only)) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no model named "${only}" in project ${project.name}`);
  }
  const keys = (only === undefined ? project.order : [only]).filter(
    (key) => project.models.get(key)?.config.materialized !== "ephemeral",
  );
  const stored = new Map(
    (await assetStatusCounts(storeDb(ctx.store), { assetKeys: keys })).map((row) => [row.assetKey, row]),
  );
  return keys.map((key): AssetSummary => {
    const model = project.models.get(key);
    const partitions = partitionsOf(project, key);
    const row = stored.get(key);
    const expected = partitions ? partitionCount(partitions, now) : 1;
    return {
      key,
      materialized: model?.config.materialized ?? "view",
      partitioned: partitions !== undefined,
      partitionsDef: partitions?.name ?? null,
      deps: upstreamOf(project, key),
      tags: model?.config.tags ?? [],
      counts: {
        materialized: row?.materialized ?? 0,
        failed: row?.failed ?? 0,
        running: row?.running ?? 0,
        queued: row?.queued ?? 0,
        missing: Math.max(0, expected - (row?.total ?? 0)),
      },
    };
  });
}

function partitionCount(partitions: PartitionsDefinition, now: Date): number {
  const last = lastPartitionKey(partitions, now);
  if (last === undefined) return 0;
  const first = partitions.start.toFormat(partitions.format);
  return countPartitions(partitions, first, last);
}
