import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assetHealth, assetPartitionGrid, codeVersion } from "@almanac/engine";
import { type ServerFixture, serverFixture } from "../server-fixture.js";

/** Writes a status row as the engine would leave it. */
async function put(
  f: ServerFixture,
  asset: string,
  key: string,
  status: string,
  version: string | null,
  materializedAt: string | null,
): Promise<void> {
  await f.query(
    `insert into almanac.asset_partitions (asset_key, partition_key, status, code_version, materialized_at)
     values ($1, $2, $3, $4, $5)`,
    [asset, key, status, version, materializedAt],
  );
}

describe("compact partition statuses: one character per partition, staleness decided in SQL", () => {
  let f: ServerFixture;
  const now = new Date("2024-01-10T12:00:00Z");
  before(async () => {
    f = await serverFixture();
    const current = codeVersion(f.ctx.project, "daily_metrics", f.ctx.target);
    // daily_metrics reads stg_trips (a view, not partitioned), built at 10:00.
    await put(f, "stg_trips", "", "materialized", "v", "2024-01-05T10:00:00Z");
    await put(f, "daily_metrics", "2024-01-01", "materialized", current, "2024-01-05T11:00:00Z");
    await put(f, "daily_metrics", "2024-01-02", "materialized", "an-older-version", "2024-01-05T11:00:00Z");
    // Materialized before its upstream was rebuilt: stale.
    await put(f, "daily_metrics", "2024-01-03", "materialized", current, "2024-01-05T09:00:00Z");
    await put(f, "daily_metrics", "2024-01-04", "failed", current, null);
    await put(f, "daily_metrics", "2024-01-05", "running", null, null);
    await put(f, "daily_metrics", "2024-01-06", "queued", null, null);
  });
  after(async () => {
    await f?.close();
  });

  it("covers every key of the range, missing ones included", async () => {
    const grid = await assetPartitionGrid(f.ctx, "daily_metrics", { now });
    assert.equal(grid.keys.length, 9);
    assert.equal(grid.statuses, "mssfrq---");
    assert.deepEqual([grid.first, grid.last], ["2024-01-01", "2024-01-09"]);
  });

  it("narrows to a range", async () => {
    const grid = await assetPartitionGrid(f.ctx, "daily_metrics", { from: "2024-01-03", to: "2024-01-07", now });
    assert.deepEqual(grid.keys, ["2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"]);
    assert.equal(grid.statuses, "sfrq-");
  });

  it("refuses a reversed range and a key outside the definition", async () => {
    await assert.rejects(
      assetPartitionGrid(f.ctx, "daily_metrics", { from: "2024-01-05", to: "2024-01-02", now }),
      /after/,
    );
    await assert.rejects(assetPartitionGrid(f.ctx, "daily_metrics", { from: "2023-12-31", now }), /2023-12-31/);
    await assert.rejects(assetPartitionGrid(f.ctx, "stg_trips", { now }), /not partitioned/);
  });

  it("the assets page counts split materialized by code version and add up to the partition count", async () => {
    const health = await assetHealth(f.ctx, now);
    const daily = health.find((a) => a.key === "daily_metrics");
    assert.deepEqual(daily?.counts, {
      // 2024-01-03 is stale only through its upstream: the per-asset grid says so, this count does not.
      materialized: 2,
      stale: 1,
      failed: 1,
      running: 1,
      queued: 1,
      missing: 3,
      total: 9,
    });
    const staging = health.find((a) => a.key === "stg_trips");
    assert.equal(staging?.counts.stale, 1, "stored with another code version than the view's current one");
  });
});
