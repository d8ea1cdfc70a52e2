import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { listAssetPartitions, listRunEvents, storeDb } from "@almanac/store";
import { copyProject, editFile } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");

describe("a step that hangs (ALMANAC_STEP_TIMEOUT_MS)", () => {
  let f: EngineFixture;

  before(async () => {
    const projectDir = await copyProject("nyc_taxi");
    // 2024-01-02 sleeps a minute inside its SQL; the other days do not sleep.
    await editFile(
      path.join(projectDir, "models/marts/daily_metrics.sql"),
      "from {{ ref('stg_trips') }}",
      `from {{ ref('stg_trips') }} cross join (select pg_sleep(case when '{{ var("min_date") }}' = '2024-01-02' then 60 else 0 end)) as pause`,
    );
    f = await engineFixture(projectDir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-03", rowsPerDay: 50 });
    f.ctx = { ...f.ctx, stepTimeoutMs: 500 };
  });
  after(() => f.close());

  test("fails its partition with ALMANAC_STEP_TIMEOUT, once, and the other partitions go on", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    assert.equal(result.status, "failed");
    const hung = result.steps.find((s) => s.partitionFrom === "2024-01-02");
    assert.equal(hung?.status, "failed");
    assert.equal(hung?.errorCode, "ALMANAC_STEP_TIMEOUT");
    assert.match(
      hung?.errorMessage ?? "",
      /daily_metrics \[2024-01-02\].*step timeout of 500 ms.*ALMANAC_STEP_TIMEOUT_MS/,
    );

    const partitions = await listAssetPartitions(storeDb(f.pool), { assetKey: "daily_metrics" });
    assert.deepEqual(
      partitions.map((p) => `${p.partitionKey} ${p.status} ${p.errorCode ?? ""}`.trim()),
      ["2024-01-01 materialized", "2024-01-02 failed ALMANAC_STEP_TIMEOUT", "2024-01-03 materialized"],
    );
    // Not retried: the step started once (a transient error would have started it again).
    const events = await listRunEvents(storeDb(f.pool), result.runId);
    assert.equal(events.filter((e) => e.message === "daily_metrics [2024-01-02]: started").length, 1);
    // Rolled back: no row of the hung day.
    const rows = await f.query<{ date: string }>("select date::text from public.daily_metrics order by 1");
    assert.deepEqual(
      rows.map((r) => r.date),
      ["2024-01-01", "2024-01-03"],
    );
  });

  test("the limit ends with the step's transaction: pooled connections keep no statement_timeout", async () => {
    const clients = await Promise.all([f.pool.connect(), f.pool.connect(), f.pool.connect(), f.pool.connect()]);
    try {
      for (const client of clients) {
        const { rows } = await client.query<{ statement_timeout: string }>("show statement_timeout");
        assert.equal(rows[0]?.statement_timeout, "0");
      }
    } finally {
      for (const client of clients) client.release();
    }
  });
});
