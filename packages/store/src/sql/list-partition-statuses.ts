import { asc } from "drizzle-orm";
import { assetPartitions } from "../schema/index.js";
import type { PartitionStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { assetPartitionsWhere, type ListAssetPartitionsOptions } from "./list-asset-partitions.js";

/** What a partitions page needs per stored partition: status, owner, and what staleness is computed from. */
export interface PartitionStatusRow {
  readonly partitionKey: string;
  readonly status: PartitionStatus;
  readonly runId: string | null;
  /** Code version of the last success; compare with the current one for staleness. */
  readonly codeVersion: string | null;
  /** Last success; compare with upstream partitions' for staleness. */
  readonly materializedAt: Date | null;
  readonly updatedAt: Date;
}

/**
 * `listAssetPartitions` narrowed to the columns a status page shows. Reading a row costs Node
 * more than Postgres (3,650 rows take well under a millisecond in the database): six columns
 * instead of fourteen is what keeps a 10-year daily asset inside the API's 10 ms budget.
 */
export async function listPartitionStatuses(
  db: StoreDb,
  options: ListAssetPartitionsOptions,
): Promise<PartitionStatusRow[]> {
  if (options.statuses?.length === 0) return [];
  return db
    .select({
      partitionKey: assetPartitions.partitionKey,
      status: assetPartitions.status,
      runId: assetPartitions.runId,
      codeVersion: assetPartitions.codeVersion,
      materializedAt: assetPartitions.materializedAt,
      updatedAt: assetPartitions.updatedAt,
    })
    .from(assetPartitions)
    .where(assetPartitionsWhere(options))
    .orderBy(asc(assetPartitions.partitionKey));
}
