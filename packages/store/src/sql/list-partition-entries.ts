import { sql } from "drizzle-orm";
import type { PartitionStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { type StalenessUpstream, sourceEventCtes, upstreamMappedCte } from "./staleness-upstream.js";

export interface ListPartitionEntriesOptions {
  readonly assetKey: string;
  /** Inclusive key range; keys of one definition sort in time order as text. */
  readonly from?: string;
  readonly to?: string;
  /** The model's current code version: a materialized partition built by another is stale. */
  readonly codeVersion: string;
  /** The upstream partitions each key reads: one materialized after it makes it stale. */
  readonly upstream: StalenessUpstream;
}

/**
 * `Date#toISOString`'s form, printed by Postgres: a listing of 3,650 partitions used to parse
 * 7,300 timestamps into Dates only to print them again, a third of the reply's CPU time.
 */
const isoFormat = `YYYY-MM-DD"T"HH24:MI:SS.MS"Z"`;

/** A stored partition as a status listing shows it. */
export interface PartitionEntryRow {
  readonly partitionKey: string;
  readonly status: Exclude<PartitionStatus, "missing">;
  readonly stale: boolean;
  readonly runId: string | null;
  /** ISO-8601 in UTC with milliseconds, as `Date#toISOString` prints it. */
  readonly updatedAt: string;
  readonly materializedAt: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

/**
 * The stored partitions of one asset in key order with their staleness (DESIGN §3.6) decided in
 * the same statement, as `partitionStatusString` decides it: only the columns a listing shows,
 * one round trip for 3,650 partitions and their upstreams' times.
 */
export async function listPartitionEntries(
  db: StoreDb,
  options: ListPartitionEntriesOptions,
): Promise<PartitionEntryRow[]> {
  const from = options.from ?? null;
  const to = options.to ?? null;
  const { sameKey = [], unpartitioned = [], mapped = [], sources = [], wholeSources = [] } = options.upstream;
  const result = await db.execute<{
    partition_key: string;
    status: PartitionEntryRow["status"];
    stale: boolean;
    run_id: string | null;
    updated_at: string;
    materialized_at: string | null;
    error_code: string | null;
    error_message: string | null;
  }>(sql`
    with upstream_by_key as (
      select u.partition_key, max(u.materialized_at) as materialized_at
      from almanac.asset_partitions u
      where u.asset_key = any(${sql.param([...sameKey])}::text[])
        and (${from}::text is null or u.partition_key >= ${from})
        and (${to}::text is null or u.partition_key <= ${to})
      group by u.partition_key
    ),
    upstream_any as (
      select max(u.materialized_at) as materialized_at
      from almanac.asset_partitions u
      where u.asset_key = any(${sql.param([...unpartitioned])}::text[])
    ),
    ${upstreamMappedCte(mapped)},
    ${sourceEventCtes(sources, wholeSources)}
    select p.partition_key, p.status, p.run_id, p.error_code, p.error_message,
      to_char(p.updated_at at time zone 'UTC', ${isoFormat}) as updated_at,
      to_char(p.materialized_at at time zone 'UTC', ${isoFormat}) as materialized_at,
      coalesce(p.status = 'materialized' and (
        p.code_version is distinct from ${options.codeVersion}
        or ubk.materialized_at > p.materialized_at
        or ua.materialized_at > p.materialized_at
        or um.materialized_at > p.materialized_at
        or sm.reported_at > p.materialized_at
        or sa.reported_at > p.materialized_at
      ), false) as stale
    from almanac.asset_partitions p
    left join upstream_by_key ubk on ubk.partition_key = p.partition_key
    left join upstream_mapped um on um.down_key = p.partition_key
    left join source_mapped sm on sm.down_key = p.partition_key
    cross join source_any sa
    cross join upstream_any ua
    where p.asset_key = ${options.assetKey}
      and (${from}::text is null or p.partition_key >= ${from})
      and (${to}::text is null or p.partition_key <= ${to})
    order by p.partition_key`);
  return result.rows.map((row) => ({
    partitionKey: row.partition_key,
    status: row.status,
    stale: row.stale,
    runId: row.run_id,
    updatedAt: row.updated_at,
    materializedAt: row.materialized_at,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  }));
}
