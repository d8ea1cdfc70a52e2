import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { getRun, listAssetPartitions, storeDb } from "@almanac/store";
import { copyProject, editFile, examplesDir, symmetricDifference, tableFingerprint } from "@almanac/testing";
import { dropTripsDay, generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const projectDir = path.join(examplesDir, "nyc_taxi");
const now = new Date("2024-06-01T00:00:00Z");
const checkSql = async () =>
  (await readFile(path.join(projectDir, "analysis/daily_metrics_check.sql"), "utf8")).replace(/order by date\s*$/, "");

describe("nyc_taxi example", () => {
  let f: EngineFixture;

  before(async () => {
    f = await engineFixture(projectDir);
    await generateTrips({ databaseUrl: f.database.url, from: "2023-12-31", to: "2024-02-01", rowsPerDay: 400 });
  });
  after(() => f.close());

  test("materializing January gives the same table as one plain SQL query over the month", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-31" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.daily_metrics", await checkSql()), []);
    const [count] = await f.query<{ n: string }>("select count(*) as n from public.daily_metrics");
    assert.equal(count?.n, "31");
  });

  test("the staging view is built once, before the partitions that read it", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    const steps = result.steps.map((s) => `${s.assetKey}${s.partitionFrom ? ` ${s.partitionFrom}` : ""}`);
    assert.deepEqual(steps, [
      "stg_trips",
      "daily_metrics 2024-01-01",
      "daily_metrics 2024-01-02",
      "daily_metrics 2024-01-03",
    ]);
  });

  test("re-running a partition leaves the table byte-identical", async () => {
    const before = await tableFingerprint(f.pool, "public.daily_metrics", "date");
    const result = await materializeSelection(f.ctx, { select: "daily_metrics", partition: "2024-01-15" }, { now });
    assert.equal(result.status, "succeeded");
    assert.equal(await tableFingerprint(f.pool, "public.daily_metrics", "date"), before);
  });

  test("running day D never changes day D+1", async () => {
    // Change the source of D+1 only: re-running D must leave the stale D+1 row exactly as it was.
    const dayAfter = async () => f.query("select * from public.daily_metrics where date = '2024-01-11'");
    const expected = await dayAfter();
    await f.query(
      "update raw.trips set total_amount = total_amount + 1 where tpep_pickup_datetime::date = '2024-01-11'",
    );
    await materializeSelection(f.ctx, { select: "daily_metrics", partition: "2024-01-10" }, { now });
    assert.deepEqual(await dayAfter(), expected);
    await f.query(
      "update raw.trips set total_amount = total_amount - 1 where tpep_pickup_datetime::date = '2024-01-11'",
    );
  });

  test("a partition whose source rows vanished loses its rows when re-run", async () => {
    await dropTripsDay(f.database.url, "2024-01-20");
    const result = await materializeSelection(
      f.ctx,
      { select: "daily_metrics +daily_zone_metrics", partition: "2024-01-20" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    const rows = await f.query(
      "select date from public.daily_metrics where date = '2024-01-20' union all select date from public.daily_zone_metrics where date = '2024-01-20'",
    );
    assert.deepEqual(rows, []);
    const others = await f.query<{ n: string }>("select count(*) as n from public.daily_metrics");
    assert.equal(others[0]?.n, "30");
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-20", to: "2024-01-20", rowsPerDay: 400 });
  });

  test("every materialized partition is recorded with its run and code version", async () => {
    const rows = await listAssetPartitions(storeDb(f.pool), {
      assetKey: "daily_metrics",
      from: "2024-01-01",
      to: "2024-01-31",
    });
    assert.equal(rows.length, 31);
    for (const row of rows) {
      assert.equal(row.status, "materialized");
      assert.ok(row.runId);
      assert.match(row.codeVersion ?? "", /^[0-9a-f]{16}$/);
    }
  });

  test("the downstream summary table runs after every partition it reads", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+zone_summary", from: "2024-01-01", to: "2024-01-31" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    assert.equal(result.steps.at(-1)?.assetKey, "zone_summary");
    const [summary] = await f.query<{ trips: string }>("select sum(trip_count) as trips from public.zone_summary");
    const [raw] = await f.query<{ trips: string }>(
      "select count(*) as trips from raw.trips where tpep_pickup_datetime >= '2024-01-01' and tpep_pickup_datetime < '2024-02-01'",
    );
    assert.equal(summary?.trips, raw?.trips);
  });
});

describe("a failing model", () => {
  let f: EngineFixture;
  let dir: string;

  before(async () => {
    dir = await copyProject("nyc_taxi");
    f = await engineFixture(dir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-05", rowsPerDay: 200 });
    const ok = await materializeSelection(
      f.ctx,
      { select: "+daily_zone_metrics+", from: "2024-01-01", to: "2024-01-05" },
      { now },
    );
    assert.equal(ok.status, "succeeded");
    // Division by zero happens only when the query runs: the template renders fine.
    await editFile(
      path.join(dir, "models/marts/daily_zone_metrics.sql"),
      "count(*)::bigint as trip_count",
      "count(*)::bigint / 0 as trip_count",
    );
    await f.reload();
  });
  after(() => f.close());

  test("leaves the table as it was and records the partition failed, with the Postgres error", async () => {
    const before = await tableFingerprint(f.pool, "public.daily_zone_metrics", "date, pickup_borough");
    const result = await materializeSelection(
      f.ctx,
      { select: "daily_zone_metrics", partition: "2024-01-03" },
      { now },
    );
    assert.equal(result.status, "failed");
    assert.equal(await tableFingerprint(f.pool, "public.daily_zone_metrics", "date, pickup_borough"), before);

    const [row] = await listAssetPartitions(storeDb(f.pool), {
      assetKey: "daily_zone_metrics",
      from: "2024-01-03",
      to: "2024-01-03",
    });
    assert.equal(row?.status, "failed");
    assert.equal(row?.errorCode, "ALMANAC_MODEL_SQL_ERROR");
    assert.match(row?.errorMessage ?? "", /daily_zone_metrics \[2024-01-03\].*division by zero.*22012/);
    assert.ok(row?.materializedAt, "the last good materialization is still known");

    const run = await getRun(storeDb(f.pool), result.runId);
    assert.equal(run?.status, "failed");
    assert.match(run?.steps[0]?.renderedSql ?? "", /count\(\*\)::bigint \/ 0/);
  });

  test("skips the downstream steps of the failed partitions and runs the rest", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "daily_metrics daily_zone_metrics+", from: "2024-01-04", to: "2024-01-05" },
      { now },
    );
    const outcome = result.steps.map((s) => `${s.assetKey} ${s.partitionFrom ?? ""} ${s.status}`.replace("  ", " "));
    assert.deepEqual(outcome, [
      "daily_metrics 2024-01-04 succeeded",
      "daily_zone_metrics 2024-01-04 failed",
      "daily_metrics 2024-01-05 succeeded",
      "daily_zone_metrics 2024-01-05 failed",
      "zone_summary skipped",
    ]);
    assert.match(result.steps[4]?.errorMessage ?? "", /upstream daily_zone_metrics \[2024-01-0\d\] failed/);
  });
});
