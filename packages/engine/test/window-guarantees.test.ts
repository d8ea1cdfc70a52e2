import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { copyProject, editFile, tableFingerprint } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");

// DESIGN §3.2: the engine, not the model's own WHERE clause, guarantees a partition run writes
// exactly its window. These tests remove the model's window filter to prove it.
describe("a partitioned model without its own window filter", () => {
  let f: EngineFixture;

  before(async () => {
    const dir = await copyProject("nyc_taxi");
    await editFile(
      path.join(dir, "models/marts/daily_metrics.sql"),
      `where pickup_at >= '{{ var("min_date") }}'\n    and pickup_at < '{{ var("max_date") }}'`,
      "where true",
    );
    f = await engineFixture(dir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-10", rowsPerDay: 200 });
  });
  after(() => f.close());

  test("its first run on an empty database writes only that partition's rows", async () => {
    const result = await materializeSelection(f.ctx, { select: "+daily_metrics", partition: "2024-01-05" }, { now });
    assert.equal(result.status, "succeeded");
    const rows = await f.query<{ date: string }>(
      "select to_char(date, 'YYYY-MM-DD') as date from public.daily_metrics",
    );
    assert.deepEqual(rows, [{ date: "2024-01-05" }]);
  });

  test("later runs write only their own window too", async () => {
    await materializeSelection(f.ctx, { select: "daily_metrics", from: "2024-01-07", to: "2024-01-08" }, { now });
    const rows = await f.query<{ date: string }>(
      "select to_char(date, 'YYYY-MM-DD') as date from public.daily_metrics order by date",
    );
    assert.deepEqual(
      rows.map((r) => r.date),
      ["2024-01-05", "2024-01-07", "2024-01-08"],
    );
  });
});

describe("two runs of the same partitions at once", () => {
  let f: EngineFixture;

  before(async () => {
    const dir = await copyProject("nyc_taxi");
    f = await engineFixture(dir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-06", rowsPerDay: 300 });
    await materializeSelection(f.ctx, { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-06" }, { now });
  });
  after(() => f.close());

  test("never interleave their writes: both succeed and the table is what one run gives", async () => {
    const expected = await tableFingerprint(f.pool, "public.daily_metrics", "date");
    const request = { select: "daily_metrics", from: "2024-01-01", to: "2024-01-06" };
    const results = await Promise.all([
      materializeSelection(f.ctx, request, { now }),
      materializeSelection(f.ctx, request, { now, policy: { type: "single_run" } }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["succeeded", "succeeded"],
    );
    assert.equal(await tableFingerprint(f.pool, "public.daily_metrics", "date"), expected);
  });
});

describe("a whole-range run and per-partition runs at once", () => {
  let f: EngineFixture;

  before(async () => {
    const dir = await copyProject("nyc_taxi");
    f = await engineFixture(dir);
    // More partitions than a step locks one by one: the whole-range step locks the asset.
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-03-15", rowsPerDay: 20 });
    await materializeSelection(f.ctx, { select: "+daily_metrics", from: "2024-01-01", to: "2024-03-15" }, { now });
  });
  after(() => f.close());

  test("exclude each other and leave the table one run would", async () => {
    const expected = await tableFingerprint(f.pool, "public.daily_metrics", "date");
    const results = await Promise.all([
      materializeSelection(
        f.ctx,
        { select: "daily_metrics", from: "2024-01-01", to: "2024-03-15" },
        { now, policy: { type: "single_run" } },
      ),
      materializeSelection(f.ctx, { select: "daily_metrics", from: "2024-03-01", to: "2024-03-10" }, { now }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["succeeded", "succeeded"],
    );
    assert.equal(await tableFingerprint(f.pool, "public.daily_metrics", "date"), expected);
  });
});
