import { sql } from "drizzle-orm";
import type { CheckStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** Which partitions of one asset to summarize; both bounds inclusive and optional. */
export interface CheckStatusQuery {
  readonly assetKey: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * The check status of each checked partition of an asset: `failed` when any error-severity
 * check failed, else `warned` when any warn-severity check found rows, else `passed`.
 * Partitions never checked are absent.
 */
export async function listCheckStatuses(db: StoreDb, query: CheckStatusQuery): Promise<Map<string, CheckStatus>> {
  const { rows } = await db.execute<{ partition_key: string; status: CheckStatus }>(sql`
    select partition_key,
           case when bool_or(status = 'failed') then 'failed'
                when bool_or(status = 'warned') then 'warned'
                else 'passed' end as status
      from almanac.asset_checks
     where asset_key = ${query.assetKey}
       and (${query.from ?? null}::text is null or partition_key >= ${query.from ?? null})
       and (${query.to ?? null}::text is null or partition_key <= ${query.to ?? null})
     group by partition_key`);
  return new Map(rows.map((row) => [row.partition_key, row.status]));
}
