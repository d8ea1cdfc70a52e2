import { type SQL, sql } from "drizzle-orm";

/**
 * What a partition's staleness is decided against (DESIGN §3.6), beyond its own code version:
 * the upstream partitions it reads. The common case — an upstream of the same definition read
 * key for key — needs no list of pairs; other mappings (another grain, offsets, the asset's own
 * earlier partitions) name, per downstream key, the range of upstream keys it reads.
 */
export interface StalenessUpstream {
  /** Upstream assets read key for key: the same key's materialization counts. */
  readonly sameKey?: readonly string[];
  /** Upstream assets without partitions: their one materialization counts for every key. */
  readonly unpartitioned?: readonly string[];
  /** One row per (downstream key, upstream asset): the upstream keys `from..to` it reads. */
  readonly mapped?: readonly MappedUpstreamRange[];
  /**
   * One row per (downstream key, source table with partitions): the source keys it reads, as
   * `asset` `source.table`; a source event over any of them, or over the whole table, counts.
   */
  readonly sources?: readonly MappedUpstreamRange[];
  /** Source tables read whole: any source event counts for every key. */
  readonly wholeSources?: readonly string[];
}

export interface MappedUpstreamRange {
  readonly key: string;
  readonly asset: string;
  /** Inclusive; keys of one definition sort in time order as text. */
  readonly from: string;
  readonly to: string;
}

/**
 * The CTEs `source_mapped(down_key, reported_at)` (per downstream key, the latest source event
 * over what it reads) and `source_any(reported_at)` (the latest event of a source read whole).
 */
export function sourceEventCtes(sources: readonly MappedUpstreamRange[], whole: readonly string[]): SQL {
  return sql`source_mapped as (
      select m.down_key, max(e.reported_at) as reported_at
      from ${rangeRows(sources)}
      join almanac.source_events e
        on e.source_key = m.up_asset
       and (e.partition_from is null or (e.partition_from <= m.up_to and e.partition_to >= m.up_from))
      group by m.down_key
    ),
    source_any as (
      select max(e.reported_at) as reported_at
      from almanac.source_events e
      where e.source_key = any(${sql.param([...whole])}::text[])
    )`;
}

/**
 * The CTE `upstream_mapped(down_key, materialized_at)`: per downstream key, the latest
 * materialization among the upstream ranges it reads. One index range scan per pair.
 */
export function upstreamMappedCte(mapped: readonly MappedUpstreamRange[]): SQL {
  return sql`upstream_mapped as (
      select m.down_key, max(u.materialized_at) as materialized_at
      from ${rangeRows(mapped)}
      join almanac.asset_partitions u
        on u.asset_key = m.up_asset and u.partition_key between m.up_from and m.up_to
      group by m.down_key
    )`;
}

/** The ranges as rows `m(down_key, up_asset, up_from, up_to)`, one parameter per column. */
function rangeRows(rows: readonly MappedUpstreamRange[]): SQL {
  return sql`unnest(
        ${sql.param(rows.map((m) => m.key))}::text[],
        ${sql.param(rows.map((m) => m.asset))}::text[],
        ${sql.param(rows.map((m) => m.from))}::text[],
        ${sql.param(rows.map((m) => m.to))}::text[]
      ) as m(down_key, up_asset, up_from, up_to)`;
}
