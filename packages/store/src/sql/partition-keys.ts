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
 * `(select distinct … order by partition_key)`: the keys as one array parameter, however many
 * there are, deduplicated so an upsert never touches a row twice, and sorted so every multi-row
 * upsert locks its rows in key order: two of them over overlapping ranges (a run starting its
 * step while another request queues some of the same partitions) then wait for each other
 * instead of deadlocking, as they did in hash order.
 */
export function partitionKeysRelation(partitionKeys: readonly string[]): SQL {
  return sql`(select distinct k as partition_key from unnest(${sql.param([...partitionKeys])}::text[]) as k order by 1)`;
}
