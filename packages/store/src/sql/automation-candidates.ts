import { sql } from "drizzle-orm";
import type { PartitionStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { type MappedUpstreamRange, sourceEventCtes } from "./staleness-upstream.js";

/** Upstream keys `from..to` of `asset` that downstream `key` reads, and how many it waits for. */
export interface AutomationUpstreamRange extends MappedUpstreamRange {
  /** Keys in the range that must all be materialized; null to wait only while any is queued or running. */
  readonly expected: number | null;
}

export interface AutomationCandidatesInput {
  readonly asset: string;
  readonly keys: readonly string[];
  readonly upstream: readonly AutomationUpstreamRange[];
  /** Per key, the source partitions it reads (as `staleness-upstream` takes them). */
  readonly sources: readonly MappedUpstreamRange[];
  /** Source tables read whole. */
  readonly wholeSources: readonly string[];
}

/** What decides whether an eager asset's partition is requested now. */
export interface AutomationCandidate {
  readonly key: string;
  readonly status: PartitionStatus | null;
  readonly materializedAt: Date | null;
  /** The upstream update the last automation request answered. */
  readonly claimedCauseAt: Date | null;
  /** Every upstream partition it waits for is materialized. */
  readonly ready: boolean;
  /** Some upstream partition it reads is queued or running. */
  readonly busy: boolean;
  /** The newest materialization or source event among what it reads. */
  readonly causeAt: Date | null;
}

/**
 * For each key of an eager asset, its own state, its last claim, and its upstream's: in one
 * statement, one index range scan per (key, upstream) pair.
 */
export async function automationCandidates(
  db: StoreDb,
  input: AutomationCandidatesInput,
): Promise<AutomationCandidate[]> {
  const { upstream } = input;
  const result = await db.execute<{
    key: string;
    status: PartitionStatus | null;
    materialized_at: Date | string | null;
    claimed_cause_at: Date | string | null;
    ready: boolean;
    busy: boolean;
    cause_at: Date | string | null;
  }>(sql`
    with ranges as (
      select * from unnest(
        ${sql.param(upstream.map((m) => m.key))}::text[],
        ${sql.param(upstream.map((m) => m.asset))}::text[],
        ${sql.param(upstream.map((m) => m.from))}::text[],
        ${sql.param(upstream.map((m) => m.to))}::text[],
        ${sql.param(upstream.map((m) => m.expected))}::int[]
      ) as m(down_key, up_asset, up_from, up_to, expected)
    ),
    upstream as (
      select m.down_key,
        bool_and(m.expected is null or u.done = m.expected) as ready,
        bool_or(u.busy) as busy,
        max(u.at) as materialized_at
      from ranges m
      cross join lateral (
        select count(*) filter (where p.materialized_at is not null) as done,
               coalesce(bool_or(p.status in ('queued', 'running')), false) as busy,
               max(p.materialized_at) as at
        from almanac.asset_partitions p
        where p.asset_key = m.up_asset and p.partition_key between m.up_from and m.up_to
      ) u
      group by m.down_key
    ),
    ${sourceEventCtes(input.sources, input.wholeSources)}
    select k.key, own.status, own.materialized_at, c.cause_at as claimed_cause_at,
      coalesce(up.ready, true) as ready, coalesce(up.busy, false) as busy,
      greatest(up.materialized_at, sm.reported_at, (select reported_at from source_any)) as cause_at
    from unnest(${sql.param([...input.keys])}::text[]) as k(key)
    left join upstream up on up.down_key = k.key
    left join source_mapped sm on sm.down_key = k.key
    left join almanac.asset_partitions own on own.asset_key = ${input.asset} and own.partition_key = k.key
    left join almanac.automation_claims c on c.asset_key = ${input.asset} and c.partition_key = k.key`);
  const date = (value: Date | string | null) => (value === null ? null : new Date(value));
  return result.rows.map((row) => ({
    key: row.key,
    status: row.status,
    materializedAt: date(row.materialized_at),
    claimedCauseAt: date(row.claimed_cause_at),
    ready: row.ready,
    busy: row.busy,
    causeAt: date(row.cause_at),
  }));
}

/**
 * Records the automation requests of one run: per key, the cause it answered. Run it in the
 * transaction that records the run, under the asset's submission lock.
 */
export async function claimAutomation(
  db: StoreDb,
  input: { readonly asset: string; readonly runId: string; readonly claims: readonly { key: string; causeAt: Date }[] },
): Promise<void> {
  await db.execute(sql`
    insert into almanac.automation_claims (asset_key, partition_key, cause_at, run_id)
    select ${input.asset}, c.key, c.cause_at, ${input.runId}::uuid
    from unnest(
      ${sql.param(input.claims.map((c) => c.key))}::text[],
      ${sql.param(input.claims.map((c) => c.causeAt.toISOString()))}::timestamptz[]
    ) as c(key, cause_at)
    on conflict (asset_key, partition_key) do update
      set cause_at = excluded.cause_at, run_id = excluded.run_id, claimed_at = now()`);
}
