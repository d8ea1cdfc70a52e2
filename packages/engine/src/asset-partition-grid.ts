import { AlmanacError } from "@almanac/errors";
import { firstPartitionKey, lastPartitionKey, partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { partitionsOf } from "@almanac/project";
import { partitionStatusString, storeDb } from "@almanac/store";
import { cachedCodeVersion } from "./cached-code-versions.js";
import type { EngineContext } from "./engine-context.js";
import { stalenessUpstream } from "./staleness-upstream.js";

/** The partitions of one asset over a key range, in the compact form a status page draws from. */
export interface AssetPartitionGrid {
  readonly assetKey: string;
  /** Name of the asset's partitions definition, and its kind (`daily`, `hourly`…). */
  readonly partitionsDef: string;
  readonly partitionsType: string;
  /** Every partition key of the range, in order. */
  readonly keys: readonly string[];
  /**
   * One character per key: `m` materialized, `s` stale, `f` failed, `r` running, `q` queued,
   * `-` missing (the store's `partitionStatusChars`).
   */
  readonly statuses: string;
  /** The range shown, and the asset's whole range up to the last partition at `now`. */
  readonly from: string | null;
  readonly to: string | null;
  readonly first: string | null;
  readonly last: string | null;
}

export interface GridQuery {
  /** First and last key, inclusive. Default: the first partition and the last one at `now`. */
  readonly from?: string;
  readonly to?: string;
  /** Decides the last partition; pass the clock at the edge. */
  readonly now: Date;
}

/**
 * The statuses of a partitioned asset's partitions over a range as one string, with staleness
 * (DESIGN §3.6) decided in the same store statement: what a partitions page needs for 3,650
 * days in one round trip.
 *
 * @throws AlmanacError `ALMANAC_UNKNOWN_ASSET`, `ALMANAC_NOT_PARTITIONED`, a bad key's code,
 *   or `ALMANAC_BAD_REQUEST` when `from` is after `to`.
 */
export async function assetPartitionGrid(
  ctx: EngineContext,
  assetKey: string,
  query: GridQuery,
): Promise<AssetPartitionGrid> {
  const { project } = ctx;
  if (!project.models.has(assetKey)) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no model named "${assetKey}" in project ${project.name}`);
  }
  const partitions = partitionsOf(project, assetKey);
  if (!partitions) throw new AlmanacError("ALMANAC_NOT_PARTITIONED", `model "${assetKey}" is not partitioned`);
  if (query.from !== undefined) validatePartitionKey(partitions, query.from);
  if (query.to !== undefined) validatePartitionKey(partitions, query.to);
  // The ends only: enumerating every key to now to read two of them was a fifth of the reply.
  const first = firstPartitionKey(partitions, query.now) ?? null;
  const last = lastPartitionKey(partitions, query.now) ?? null;
  const from = query.from ?? first;
  const to = query.to ?? last;
  if (from !== null && to !== null && from > to) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `from ${from} is after to ${to}: swap them`);
  }
  const keys = from === null || to === null ? [] : partitionKeysInRange(partitions, from, to);
  const statuses = await partitionStatusString(storeDb(ctx.store), {
    assetKey,
    keys,
    codeVersion: cachedCodeVersion(ctx, assetKey),
    upstream: stalenessUpstream(project, assetKey, keys),
  });
  return {
    assetKey,
    partitionsDef: partitions.name,
    partitionsType: partitions.type,
    keys,
    statuses,
    from,
    to,
    first,
    last,
  };
}
