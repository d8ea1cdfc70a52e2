import type pg from "pg";

/**
 * Above this many partitions a step locks the whole asset instead: advisory locks live in
 * Postgres' shared lock table (max_locks_per_transaction × max_connections slots in all), so
 * a 3,650-day single_run must not take 3,650 of them.
 */
const maxPartitionLocks = 64;

/**
 * One writer per asset partition (DESIGN §3.4), with transaction-scoped advisory locks that
 * vanish with a crashed writer's connection. Two levels make per-partition and whole-asset
 * writers exclude each other: a small chunk takes the asset lock shared plus one exclusive
 * lock per partition; a large chunk takes the asset lock exclusive. Keys are sorted so steps
 * over overlapping ranges lock in the same order and cannot deadlock.
 */
export async function lockAssetPartitions(
  client: pg.ClientBase,
  assetKey: string,
  partitionKeys: readonly string[],
  statementTimeoutMs = 0,
): Promise<void> {
  // The step's statement timeout rides along (set_config local to the transaction, so it ends
  // with it and never leaks into the pooled connection): one round trip fewer per step, and it
  // only bounds the statements after this one, so waiting here for another run of the same
  // partitions is not counted as a hang.
  const timeout = statementTimeoutMs > 0 ? `${Math.floor(statementTimeoutMs)}ms` : null;
  const bound = (param: string) =>
    `set_config('statement_timeout', coalesce(${param}::text, current_setting('statement_timeout')), true)`;
  if (partitionKeys.length > maxPartitionLocks) {
    await client.query(
      `select pg_advisory_xact_lock(hashtextextended('almanac:asset:' || $1::text, 0)), ${bound("$2")}`,
      [assetKey, timeout],
    );
    return;
  }
  await client.query(
    `select pg_advisory_xact_lock_shared(hashtextextended('almanac:asset:' || $1::text, 0)),
            (select count(pg_advisory_xact_lock(hashtextextended('almanac:partition:' || $1::text || ':' || k, 0)))
               from unnest($2::text[]) as k),
            ${bound("$3")}`,
    [assetKey, [...partitionKeys].sort(), timeout],
  );
}
