import type pg from "pg";

/**
 * Takes a transaction-scoped advisory lock per asset partition (DESIGN §3.4: one writer per
 * asset partition). Keys are sorted so two steps over overlapping ranges lock in the same
 * order and cannot deadlock; the locks go with the transaction, so a crashed writer frees them.
 */
export async function lockAssetPartitions(
  client: pg.ClientBase,
  assetKey: string,
  partitionKeys: readonly string[],
): Promise<void> {
  const keys = [...partitionKeys].sort();
  await client.query(
    `select pg_advisory_xact_lock(hashtextextended('almanac:partition:' || $1::text || ':' || k, 0))
       from unnest($2::text[]) with ordinality as t(k, n) order by n`,
    [assetKey, keys],
  );
}
