import { and, asc, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import type { AssetPartitionRow } from "../row-types.js";
import { assetPartitions } from "../schema/index.js";
import type { PartitionStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

export interface ListAssetPartitionsOptions {
  readonly assetKey: string;
  /** Inclusive first key. Keys of one definition sort in time order as text. */
  readonly from?: string;
  /** Inclusive last key. */
  readonly to?: string;
  /** Only these stored statuses. "missing" partitions have no row: the caller fills them in from the definition. */
  readonly statuses?: readonly PartitionStatus[];
}

/**
 * The stored partitions of one asset in key order: one range scan of the primary key
 * (3,650 daily partitions in a few milliseconds).
 */
export async function listAssetPartitions(
  db: StoreDb,
  options: ListAssetPartitionsOptions,
): Promise<AssetPartitionRow[]> {
  if (options.statuses?.length === 0) return [];
  return db
    .select()
    .from(assetPartitions)
    .where(assetPartitionsWhere(options))
    .orderBy(asc(assetPartitions.partitionKey));
}

/** The filter both partition listings use: one asset, an optional key range and statuses. */
export function assetPartitionsWhere(options: ListAssetPartitionsOptions): SQL | undefined {
  return and(
    eq(assetPartitions.assetKey, options.assetKey),
    options.from === undefined ? undefined : gte(assetPartitions.partitionKey, options.from),
    options.to === undefined ? undefined : lte(assetPartitions.partitionKey, options.to),
    options.statuses === undefined ? undefined : inArray(assetPartitions.status, [...options.statuses]),
  );
}
