import { AlmanacError } from "@almanac/errors";
import { countPartitions, lastPartitionKey, type PartitionsDefinition } from "@almanac/partitions";
import { partitionsOf, upstreamOf } from "@almanac/project";
import { assetHealthCounts, storeDb } from "@almanac/store";
import type { AssetSummary } from "./asset-summaries.js";
import { cachedCodeVersion } from "./cached-code-versions.js";
import type { EngineContext } from "./engine-context.js";

/** An asset as a status page shows it: {@link AssetSummary} with materialized partitions split by code version. */
export interface AssetHealth extends Omit<AssetSummary, "counts"> {
  readonly counts: AssetSummary["counts"] & {
    /** Materialized with an older code version than the model's current one (included in no other count). */
    readonly stale: number;
    /** Every partition up to the last one at `now` (1 for a non-partitioned asset). */
    readonly total: number;
  };
}

/**
 * What {@link assetSummaries} says of every asset, plus how many materialized partitions are
 * stale because the model's code changed; `materialized` counts only fresh ones, so the counts
 * add up to `total`. One grouped store read, whatever the number of partitions (a second one,
 * as `assetSummaries` would add, doubles the page's time at 365,000 partitions).
 */
export async function assetHealth(ctx: EngineContext, now: Date, only?: string): Promise<AssetHealth[]> {
  const { project } = ctx;
  if (only !== undefined && !project.models.has(only)) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no model named "${only}" in project ${project.name}`);
  }
  const keys = (only === undefined ? project.order : [only]).filter(
    (key) => project.models.get(key)?.config.materialized !== "ephemeral",
  );
  const versions = keys.map((key) => ({ assetKey: key, codeVersion: cachedCodeVersion(ctx, key) }));
  const rows = new Map((await assetHealthCounts(storeDb(ctx.store), versions)).map((row) => [row.assetKey, row]));
  return keys.map((key): AssetHealth => {
    const model = project.models.get(key);
    const partitions = partitionsOf(project, key);
    const row = rows.get(key);
    const total = partitions ? partitionCount(partitions, now) : 1;
    const counts = {
      materialized: row?.materialized ?? 0,
      stale: row?.stale ?? 0,
      failed: row?.failed ?? 0,
      running: row?.running ?? 0,
      queued: row?.queued ?? 0,
      missing: Math.max(0, total - (row?.total ?? 0)),
    };
    return {
      key,
      materialized: model?.config.materialized ?? "view",
      partitioned: partitions !== undefined,
      partitionsDef: partitions?.name ?? null,
      deps: upstreamOf(project, key),
      tags: model?.config.tags ?? [],
      counts: { ...counts, total: Math.max(total, row?.total ?? 0) },
    };
  });
}

function partitionCount(partitions: PartitionsDefinition, now: Date): number {
  const last = lastPartitionKey(partitions, now);
  if (last === undefined) return 0;
  return countPartitions(partitions, partitions.start.toFormat(partitions.format), last);
}
