import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  copyProject,
  createTestDatabase,
  editFile,
  examplesDir,
  symmetricDifference,
  type TestDatabase,
  tableFingerprint,
} from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { runAlmanac } from "./cli-fixture.js";

const projectDir = path.join(examplesDir, "nyc_taxi");

const almanac = runAlmanac;

describe("almanac CLI on the nyc_taxi example", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // Dropping the database (with force) can reach a socket still closing after end().
    pool.on("error", () => undefined);
    env = { DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir };
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-02-01", rowsPerDay: 300 });
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("migrate is safe to run again", async () => {
    assert.equal((await almanac(env, "migrate")).code, 0);
    const again = await almanac(env, "migrate");
    assert.equal(again.code, 0);
    assert.match(again.stdout, /up to date/);
  });

  test("materialize of January equals one plain SQL query over the month", async () => {
    const result = await almanac(env, "materialize", "+daily_metrics", "--from", "2024-01-01", "--to", "2024-01-31");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /succeeded: 32\/32 steps succeeded/);
    assert.match(result.stderr, /\[2\/32\] ok daily_metrics \[2024-01-01\]: 1 row written/);
    const check = (await readFile(path.join(projectDir, "analysis/daily_metrics_check.sql"), "utf8")).replace(
      /order by date\s*$/,
      "",
    );
    assert.deepEqual(await symmetricDifference(pool, "select * from public.daily_metrics", check), []);
  });

  test("materialize without a partition builds the selected unpartitioned models", async () => {
    const result = await almanac(env, "materialize", "stg_trips stg_zones");
    assert.equal(result.code, 0, result.stderr);
    // stg_trips was built by the run above and its SQL did not change since.
    assert.match(result.stderr, /\[1\/2\] ok stg_trips: unchanged, not rebuilt/);
    assert.match(result.stderr, /\[2\/2\] ok stg_zones: view built/);
    const views = await pool.query("select viewname from pg_views where schemaname = 'public' order by 1");
    assert.deepEqual(
      views.rows.map((r) => r.viewname),
      ["stg_trips", "stg_zones"],
    );
  });

  test("compile prints the model's SQL for the partition's window", async () => {
    const result = await almanac(env, "compile", "daily_metrics", "--partition", "2024-02-29");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pickup_at >= '2024-02-29'\s+and pickup_at < '2024-03-01'/);
    assert.match(result.stdout, /from "public"\."stg_trips"/);
  });

  test("status --json lists every partition with its status, missing ones included", async () => {
    const result = await almanac(
      env,
      "status",
      "daily_metrics",
      "--json",
      "--from",
      "2024-01-30",
      "--to",
      "2024-02-02",
    );
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as { partitions: { key: string; status: string; stale: boolean }[] };
    assert.deepEqual(
      body.partitions.map((p) => `${p.key} ${p.status}${p.stale ? " stale" : ""}`),
      ["2024-01-30 materialized", "2024-01-31 materialized", "2024-02-01 missing", "2024-02-02 missing"],
    );
  });

  test("status folds partitions into ranges", async () => {
    const result = await almanac(env, "status", "daily_metrics", "--from", "2024-01-01", "--to", "2024-02-10");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /daily_metrics: 41 partitions: 31 materialized, 10 missing/);
    assert.match(result.stdout, /2024-01-01\.\.2024-01-31\s+materialized\s+31/);
  });

  const badInputs: { name: string; args: string[]; code: string }[] = [
    {
      name: "unknown model",
      args: ["materialize", "daily_metricz", "--partition", "2024-01-01"],
      code: "ALMANAC_UNKNOWN_ASSET",
    },
    {
      name: "malformed key",
      args: ["materialize", "daily_metrics", "--partition", "2024-1-5"],
      code: "ALMANAC_BAD_PARTITION_KEY",
    },
    {
      name: "key before the start",
      args: ["materialize", "daily_metrics", "--partition", "2023-12-31"],
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
    },
    {
      name: "key in the future",
      args: ["materialize", "daily_metrics", "--partition", "2999-01-01"],
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
    },
    {
      name: "from after to",
      args: ["materialize", "daily_metrics", "--from", "2024-01-05", "--to", "2024-01-01"],
      code: "ALMANAC_BAD_PARTITION_RANGE",
    },
    {
      name: "partitioned model without a partition",
      args: ["materialize", "daily_metrics"],
      code: "ALMANAC_PARTITION_REQUIRED",
    },
    {
      name: "partition for an unpartitioned model",
      args: ["materialize", "stg_trips", "--partition", "2024-01-01"],
      code: "ALMANAC_NOT_PARTITIONED",
    },
    {
      name: "selector that matches nothing",
      args: ["materialize", "tag:nothing", "--partition", "2024-01-01"],
      code: "ALMANAC_EMPTY_SELECTION",
    },
    {
      name: "injection in a key",
      args: ["materialize", "daily_metrics", "--partition", "2024-01-01'; drop table raw.trips; --"],
      code: "ALMANAC_BAD_PARTITION_KEY",
    },
    { name: "compile of an unknown model", args: ["compile", "nope"], code: "ALMANAC_UNKNOWN_ASSET" },
    { name: "status of an unknown model", args: ["status", "nope"], code: "ALMANAC_UNKNOWN_ASSET" },
  ];
  for (const bad of badInputs) {
    test(`bad input: ${bad.name} exits 2 with one line and changes nothing`, async () => {
      const runsBefore = await pool.query("select count(*) from almanac.runs");
      const tableBefore = await tableFingerprint(pool, "public.daily_metrics", "date");
      const result = await almanac(env, ...bad.args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`^error \\[${bad.code}\\]: `));
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual((await pool.query("select count(*) from almanac.runs")).rows, runsBefore.rows);
      assert.equal(await tableFingerprint(pool, "public.daily_metrics", "date"), tableBefore);
    });
  }

  test("an unknown flag is a usage error (exit 2)", async () => {
    const result = await almanac(env, "materialize", "daily_metrics", "--bogus");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--bogus'/);
  });

  test("a template error names the file and line, exits 2 and writes nothing", async () => {
    const dir = await copyProject("nyc_taxi");
    await editFile(path.join(dir, "models/marts/daily_metrics.sql"), "from trips", "from {{ ref('stg_tripz') }}");
    const result = await almanac(
      { ...env, ALMANAC_PROJECT_DIR: dir },
      "materialize",
      "daily_metrics",
      "--partition",
      "2024-01-01",
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error \[ALMANAC_UNKNOWN_REF\]: models\/marts\/daily_metrics\.sql:\d+: .*stg_tripz/);
  });

  test("a model failing in Postgres exits 1 and names the partition and SQLSTATE", async () => {
    const dir = await copyProject("nyc_taxi");
    await editFile(
      path.join(dir, "models/marts/daily_metrics.sql"),
      "count(*)::bigint as trip_count",
      "count(*)::bigint / 0 as trip_count",
    );
    const result = await almanac(
      { ...env, ALMANAC_PROJECT_DIR: dir },
      "materialize",
      "daily_metrics",
      "--partition",
      "2024-01-02",
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /failed daily_metrics \[2024-01-02\]: division by zero \(SQLSTATE 22012\)/);
    assert.match(result.stdout, /failed: 0\/1 steps succeeded/);
  });
});
