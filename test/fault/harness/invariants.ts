import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createTestDatabase, examplesDir, repoRoot, tableFingerprint } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { almanacBin } from "./almanac-process.js";
import { everyModel } from "./fault-world.js";

/** A relation (a table, or a parenthesized query over one) and the order that makes its fingerprint stable. */
export interface TableSpec {
  readonly relation: string;
  readonly orderBy: string;
}

/** The example's tables. */
export const exampleTables: Readonly<Record<string, TableSpec>> = {
  daily_metrics: { relation: "public.daily_metrics", orderBy: "date" },
  daily_zone_metrics: { relation: "public.daily_zone_metrics", orderBy: "date, pickup_borough" },
  zone_summary: { relation: "public.zone_summary", orderBy: "pickup_borough" },
};

/** Fingerprints (`rows:md5`) of relations in one database. */
export async function fingerprints(
  db: pg.Pool,
  tables: Readonly<Record<string, TableSpec>> = exampleTables,
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [name, spec] of Object.entries(tables))
    result[name] = await tableFingerprint(db, spec.relation, spec.orderBy);
  return result;
}

/**
 * The fault-free reference: the same trips in a database of its own, every model materialized
 * by the unmodified example with `almanac materialize` (in one process, no Redis, no faults).
 */
export async function referenceFingerprints(
  days: { from: string; to: string; rowsPerDay: number },
  tables: Readonly<Record<string, TableSpec>> = exampleTables,
): Promise<Record<string, string>> {
  const database = await createTestDatabase();
  try {
    await generateTrips({ databaseUrl: database.url, ...days });
    await promisify(execFile)(
      process.execPath,
      [
        almanacBin,
        "--project",
        `${examplesDir}/nyc_taxi`,
        "materialize",
        everyModel,
        "--from",
        days.from,
        "--to",
        days.to,
      ],
      { env: { PATH: process.env.PATH, NO_COLOR: "1", DATABASE_URL: database.url }, cwd: repoRoot, timeout: 120_000 },
    );
    const db = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      return await fingerprints(db, tables);
    } finally {
      await db.end();
    }
  } finally {
    await database.drop();
  }
}

export interface InvariantOptions {
  /** Backfills whose partitions must each have been materialized exactly once by one of their runs. */
  readonly backfillIds: readonly string[];
  /** The tables' fault-free fingerprints (from `referenceFingerprints`). */
  readonly reference: Readonly<Record<string, string>>;
  /** The tables compared; default the example's three. */
  readonly tables?: Readonly<Record<string, TableSpec>>;
  /** Partitioned assets whose partitions must all be `materialized` (default: the two marts). */
  readonly assets?: readonly string[];
  /** How many partitions each asset must have materialized. */
  readonly partitions: number;
}

/**
 * What every scenario must end with, read from the store and the warehouse:
 * 1. no asset partition left `queued` or `running`, no run left `queued` or `running`;
 * 2. every partition of `assets` `materialized`;
 * 3. exactly once per request: for each backfill and each (asset, partition) it requested, one
 *    succeeded step among its runs — and `materialization_count` (bumped in the transaction that
 *    writes the data) is never more than the number of runs whose succeeded step covers the
 *    partition, so no attempt re-wrote a partition its run had already committed (it may be
 *    less: a run whose partition a later request took over writes without re-marking it);
 * 4. the tables equal the fault-free reference, row for row.
 */
export async function assertInvariants(db: pg.Pool, options: InvariantOptions): Promise<void> {
  const assets = options.assets ?? ["daily_metrics", "daily_zone_metrics"];
  await assertNothingStuck(db);

  const { rows: statuses } = await db.query<{ asset_key: string; status: string; n: number }>(
    `select asset_key, status, count(*)::int as n from almanac.asset_partitions
     where asset_key = any($1) group by 1, 2 order by 1, 2`,
    [assets],
  );
  assert.deepEqual(
    statuses,
    assets.map((asset) => ({ asset_key: asset, status: "materialized", n: options.partitions })),
    "every requested partition materialized",
  );

  // Succeeded steps per (backfill, asset, partition): daily keys, so a step's range is a date series.
  const { rows: perRequest } = await db.query<{ backfill_id: string; asset_key: string; n: number; keys: number }>(
    `with covered as (
       select r.backfill_id, s.asset_key, k::date as partition_key, s.run_id
       from almanac.run_steps s join almanac.runs r on r.id = s.run_id
       cross join lateral generate_series(s.partition_from::date, s.partition_to::date, interval '1 day') as k
       where s.status = 'succeeded' and s.partition_from is not null and r.backfill_id = any($1::uuid[])
     )
     select backfill_id, asset_key, max(n)::int as n, count(*)::int as keys
     from (select backfill_id, asset_key, partition_key, count(*) as n from covered group by 1, 2, 3) per_key
     group by 1, 2 order by 1, 2`,
    [options.backfillIds],
  );
  for (const backfillId of options.backfillIds) {
    for (const asset of assets) {
      const row = perRequest.find((r) => r.backfill_id === backfillId && r.asset_key === asset);
      assert.deepEqual(
        row && { keys: row.keys, n: row.n },
        { keys: options.partitions, n: 1 },
        `backfill ${backfillId}: each ${asset} partition succeeded exactly once`,
      );
    }
  }
  const { rows: rewrites } = await db.query(
    `with covered as (
       select s.asset_key, to_char(k, 'YYYY-MM-DD') as partition_key, count(distinct s.run_id)::int as runs
       from almanac.run_steps s
       cross join lateral generate_series(s.partition_from::date, s.partition_to::date, interval '1 day') as k
       where s.status = 'succeeded' and s.partition_from is not null
       group by 1, 2
     )
     select p.asset_key, p.partition_key, p.materialization_count, c.runs
     from almanac.asset_partitions p join covered c using (asset_key, partition_key)
     where p.materialization_count > c.runs`,
  );
  assert.deepEqual(rewrites, [], "no partition written more often than runs succeeded on it");

  assert.deepEqual(await fingerprints(db, options.tables), options.reference, "tables as a fault-free run");
}

/** No asset partition left `queued` or `running`, no run left `queued` or `running`. */
export async function assertNothingStuck(db: pg.Pool): Promise<void> {
  const { rows: stuckPartitions } = await db.query(
    `select asset_key, partition_key, status from almanac.asset_partitions where status in ('queued', 'running')`,
  );
  assert.deepEqual(stuckPartitions, [], "no asset partition left queued or running");
  const { rows: stuckRuns } = await db.query(
    `select id, status, attempt from almanac.runs where status in ('queued', 'running')`,
  );
  assert.deepEqual(stuckRuns, [], "no run left queued or running");
}
