import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";
import { outboxInsert } from "./outbox-insert.js";

export interface OverduePartitionInput {
  readonly assetKey: string;
  readonly partitionKey: string;
  /** When its window ended. */
  readonly windowEnd: Date;
  /** Window end + max_lag. */
  readonly deadline: Date;
  /** As written in almanac.yml (`26h`), for the message. */
  readonly maxLag: string;
  /** Notifications subscribed to `asset_overdue`. Default none. */
  readonly notify?: readonly string[];
}

/**
 * Claims an overdue asset partition: the first call records it and writes its `asset_overdue`
 * notifications in the same statement; every later call (the next check, another server)
 * finds the claim and writes nothing. Returns whether this call made the claim.
 */
export async function claimOverduePartition(db: StoreDb, input: OverduePartitionInput): Promise<boolean> {
  const result = await db.execute<{ asset_key: string }>(sql`
    with claim as (
      insert into almanac.overdue_partitions (asset_key, partition_key, deadline)
      values (${input.assetKey}, ${input.partitionKey}, ${input.deadline.toISOString()})
      on conflict do nothing
      returning asset_key, partition_key, deadline
    )${outboxInsert(
      "outbox",
      input.notify,
      "asset_overdue",
      sql`(select jsonb_build_object(
          'assets', jsonb_build_array(asset_key), 'partitionFrom', partition_key, 'partitionTo', partition_key,
          'windowEnd', ${input.windowEnd.toISOString()}::timestamptz, 'deadline', deadline,
          'maxLag', ${input.maxLag}::text) as payload from claim)`,
    )}
    select asset_key from claim`);
  return result.rows.length > 0;
}
