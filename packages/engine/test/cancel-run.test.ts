import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { getRun, listAssetPartitions, requestRunCancel, storeDb } from "@almanac/store";
import { examplesDir } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");

describe("canceling a running run", () => {
  let f: EngineFixture;

  before(async () => {
    f = await engineFixture(path.join(examplesDir, "nyc_taxi"));
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-04", rowsPerDay: 100 });
  });
  after(() => f.close());

  test("stops after the current step and gives back the partitions it never reached", async () => {
    let runId = "";
    const result = await materializeSelection(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-04" },
      {
        now,
        onPlanned: (plan) => {
          runId = plan.runId;
        },
        onStep: async (report) => {
          if (report.assetKey === "daily_metrics" && report.partitionFrom === "2024-01-02") {
            await requestRunCancel(storeDb(f.pool), runId);
          }
        },
      },
    );
    assert.equal(result.status, "canceled");
    assert.deepEqual(
      result.steps.map((s) => s.partitionFrom ?? s.assetKey),
      ["stg_trips", "2024-01-01", "2024-01-02"],
    );
    const partitions = await listAssetPartitions(storeDb(f.pool), { assetKey: "daily_metrics" });
    assert.deepEqual(
      partitions.map((p) => `${p.partitionKey} ${p.status}`),
      ["2024-01-01 materialized", "2024-01-02 materialized"],
    );
    const run = await getRun(storeDb(f.pool), runId);
    assert.equal(run?.status, "canceled");
    assert.deepEqual(
      run?.steps.map((s) => s.status),
      ["succeeded", "succeeded", "succeeded", "canceled", "canceled"],
    );
  });
});
