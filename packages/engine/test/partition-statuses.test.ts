import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { assetPartitionStatuses, materializeSelection } from "@almanac/engine";
import { storeDb } from "@almanac/store";
import { copyProject, editFile } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-01-06T12:00:00Z");

describe("partition statuses", () => {
  let f: EngineFixture;
  let dir: string;
  const statuses = async (asset: string) =>
    (await assetPartitionStatuses(storeDb(f.pool), f.ctx.project, f.ctx.target, asset, { now })).map(
      (p) => `${p.key || "-"} ${p.status}${p.stale ? " stale" : ""}`,
    );

  before(async () => {
    dir = await copyProject("nyc_taxi");
    f = await engineFixture(dir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-05", rowsPerDay: 100 });
    const result = await materializeSelection(
      f.ctx,
      { select: "+zone_summary", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    assert.equal(result.status, "succeeded");
  });
  after(() => f.close());

  test("list every partition up to the last complete one, missing ones included", async () => {
    assert.deepEqual(await statuses("daily_zone_metrics"), [
      "2024-01-01 materialized",
      "2024-01-02 materialized",
      "2024-01-03 materialized",
      "2024-01-04 missing",
      "2024-01-05 missing",
    ]);
    assert.deepEqual(await statuses("zone_summary"), ["- materialized"]);
  });

  test("a partition re-materialized upstream makes the downstream summary stale", async () => {
    await materializeSelection(f.ctx, { select: "daily_zone_metrics", partition: "2024-01-02" }, { now });
    assert.deepEqual(await statuses("zone_summary"), ["- materialized stale"]);
    assert.deepEqual((await statuses("daily_zone_metrics")).slice(0, 3), [
      "2024-01-01 materialized",
      "2024-01-02 materialized",
      "2024-01-03 materialized",
    ]);
  });

  test("a change to the model's SQL makes its materialized partitions stale", async () => {
    await editFile(
      path.join(dir, "models/marts/daily_zone_metrics.sql"),
      "count(*)::bigint as trip_count",
      "count(*)::bigint /* counted again */ as trip_count",
    );
    await f.reload();
    assert.deepEqual((await statuses("daily_zone_metrics")).slice(0, 3), [
      "2024-01-01 materialized stale",
      "2024-01-02 materialized stale",
      "2024-01-03 materialized stale",
    ]);
    await materializeSelection(f.ctx, { select: "daily_zone_metrics", partition: "2024-01-01" }, { now });
    assert.equal((await statuses("daily_zone_metrics"))[0], "2024-01-01 materialized");
  });

  test("a view is rebuilt only when its SQL changed", async () => {
    const run = async () => (await materializeSelection(f.ctx, { select: "stg_zones" }, { now })).steps[0]?.unchanged;
    assert.equal(await run(), true);
    await editFile(path.join(dir, "models/staging/stg_zones.sql"), "select", "select /* v2 */");
    await f.reload();
    assert.equal(await run(), false);
    assert.equal(await run(), true);
  });
});
