import { and, eq } from "drizzle-orm";
import type { AssetPartitionRow } from "../row-types.js";
import { assetPartitions } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

/** One asset partition ('' for a non-partitioned asset), or null when it is missing. */
export async function getAssetPartition(
  db: StoreDb,
  assetKey: string,
  partitionKey: string,
): Promise<AssetPartitionRow | null> {
  const [row] = await db
    .select()
    .from(assetPartitions)
    .where(and(eq(assetPartitions.assetKey, assetKey), eq(assetPartitions.partitionKey, partitionKey)));
  return row ?? null;
}
