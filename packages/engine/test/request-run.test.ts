import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { assetSummaries, cancelRun, executeRun, requestRun } from "@almanac/engine";
import { getRun, listAssetPartitions, storeDb } from "@almanac/store";
import { examplesDir } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-01-11T06:00:00Z");

describe("requesting runs for a worker", () => {
  let f: EngineFixture;

  before(async () => {
    f = await engineFixture(path.join(examplesDir, "nyc_taxi"));
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-10", rowsPerDay: 100 });
  });
  after(() => f.close());

  test("six concurrent requests for one partition share one run", async () => {
    const request = { select: "daily_metrics", partition: "2024-01-02" };
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => requestRun(f.ctx, request, { now, trigger: "api" })),
    );
    assert.equal(new Set(runs.map((r) => r.runId)).size, 1);
    assert.equal(runs.filter((r) => !r.existing).length, 1);
    const [{ n }] = (await f.query<{ n: string }>("select count(*) as n from almanac.runs")) as [{ n: string }];
    assert.equal(n, "1");
  });

  test("a request that only partly overlaps an active run gets a run of its own", async () => {
    const run = await requestRun(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-02", to: "2024-01-03" },
      { now, trigger: "api" },
    );
    assert.equal(run.existing, false);
  });

  test("canceling a queued run gives its partitions back", async () => {
    const run = await requestRun(f.ctx, { select: "daily_metrics", partition: "2024-01-07" }, { now, trigger: "api" });
    assert.equal(await cancelRun(f.ctx, run.runId), "canceled");
    const partitions = await listAssetPartitions(storeDb(f.pool), {
      assetKey: "daily_metrics",
      from: "2024-01-07",
      to: "2024-01-07",
    });
    assert.deepEqual(partitions, [], "never materialized before, so missing again");
    await assert.rejects(executeRun(f.ctx, run.runId), { code: "ALMANAC_UNKNOWN_RUN" });
    assert.equal((await getRun(storeDb(f.pool), run.runId))?.status, "canceled");
  });

  test("asset summaries count partitions per status, missing ones included", async () => {
    const summaries = await assetSummaries(f.ctx, now);
    const daily = summaries.find((s) => s.key === "daily_metrics");
    assert.deepEqual(daily, {
      key: "daily_metrics",
      materialized: "incremental",
      partitioned: true,
      partitionsDef: "daily",
      deps: ["stg_trips"],
      mappings: [],
      tags: ["daily"],
      counts: { materialized: 0, failed: 0, running: 0, queued: 2, missing: 8 },
      freshness: null,
    });
    const stg = summaries.find((s) => s.key === "stg_trips");
    assert.deepEqual(stg?.counts, { materialized: 0, failed: 0, running: 0, queued: 0, missing: 1 });
    await assert.rejects(assetSummaries(f.ctx, now, "nope"), { code: "ALMANAC_UNKNOWN_ASSET" });
  });
});
