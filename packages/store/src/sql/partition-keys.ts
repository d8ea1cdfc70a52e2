import { type SQL, sql } from "drizzle-orm";

/** The fields every set-based partition update takes. */
export interface PartitionBatch {
  /** The run that owns (or takes) the partitions. */
  readonly runId: string;
  readonly assetKey: string;
  /** Keys to update; '' for a non-partitioned asset. Duplicates are ignored. */
  readonly partitionKeys: readonly string[];
}

/**
 * `(select distinct unnest($n::text[]) as partition_key)`: the keys as one array parameter,
 * however many there are, deduplicated so an upsert never touches a row twice.
 */
export function partitionKeysRelation(partitionKeys: readonly string[]): SQL {
  return sql`(select distinct unnest(${sql.param([...partitionKeys])}::text[]) as partition_key)`;
}
