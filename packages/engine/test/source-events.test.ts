import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { assetPartitionGrid, materializeSelection, reportSourceEvent } from "@almanac/engine";
import { createRawEvents } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// Loaders report new data in raw.events by the New York hour (almanac.yml `sources:`); the
// hourly model reading it and the UTC-daily microbatch model reading it go stale for exactly
// the partitions that overlap the reported hours.
const projectDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "grains");
const now = new Date("2024-06-01T00:00:00Z");

describe("source events", () => {
  let f: EngineFixture;
  const grid = async (asset: string, from: string, to: string) =>
    (await assetPartitionGrid(f.ctx, asset, { from, to, now })).statuses;
  const events = async () =>
    (await f.query<{ n: number }>("select count(*)::int as n from almanac.source_events"))[0]?.n;

  before(async () => {
    f = await engineFixture(projectDir);
    await createRawEvents(f.pool, { from: "2024-03-02T00:00:00Z", until: "2024-03-05T00:00:01Z", amounts: "ones" });
    for (const select of ["+events_daily", "events_batched"]) {
      const result = await materializeSelection(f.ctx, { select, from: "2024-03-02", to: "2024-03-04" }, { now });
      assert.equal(result.status, "succeeded");
    }
  });
  after(() => f?.close());

  test("a reported hour makes the hour that reads it and the UTC day holding it stale, nothing else", async () => {
    assert.equal(await grid("events_hourly", "2024-03-03-04:00", "2024-03-03-06:00"), "mmm");
    const event = await reportSourceEvent(
      f.ctx,
      "raw.events",
      { partition: "2024-03-03-05:00" },
      { reportedBy: "cli", now },
    );
    assert.deepEqual(
      [event.sourceKey, event.partitionsDef, event.partitionFrom, event.partitionTo, event.reportedBy],
      ["raw.events", "hourly", "2024-03-03-05:00", "2024-03-03-05:00", "cli"],
    );
    assert.equal(await grid("events_hourly", "2024-03-03-04:00", "2024-03-03-06:00"), "msm");
    // 05:00 in New York on 03-03 is 10:00 UTC: the microbatch model's UTC day 03-03.
    assert.equal(await grid("events_batched", "2024-03-02", "2024-03-04"), "msm");
    // events_daily reads events_hourly, not the source: it is not stale until that hour re-runs.
    assert.equal(await grid("events_daily", "2024-03-02", "2024-03-04"), "mmm");
    const rerun = await materializeSelection(
      f.ctx,
      { select: "events_hourly", partition: "2024-03-03-05:00" },
      { now },
    );
    assert.equal(rerun.status, "succeeded");
    assert.equal(await grid("events_hourly", "2024-03-03-04:00", "2024-03-03-06:00"), "mmm");
    assert.equal(await grid("events_daily", "2024-03-02", "2024-03-04"), "msm");
  });

  test("a range covers every hour it names; a report without keys, the whole table", async () => {
    await reportSourceEvent(
      f.ctx,
      "raw.events",
      { from: "2024-03-04-00:00", to: "2024-03-04-02:00" },
      { reportedBy: "api", now },
    );
    assert.equal(await grid("events_hourly", "2024-03-03-23:00", "2024-03-04-03:00"), "msssm");
    const whole = await reportSourceEvent(f.ctx, "raw.events", {}, { reportedBy: "api", now });
    assert.equal(whole.partitionsDef, undefined);
    assert.equal(await grid("events_batched", "2024-03-02", "2024-03-04"), "sss");
  });

  test("bad reports are refused and record nothing", async () => {
    const before = await events();
    const cases: [Parameters<typeof reportSourceEvent>[1], Parameters<typeof reportSourceEvent>[2], string][] = [
      ["raw.evnts", {}, "ALMANAC_NOT_FOUND"],
      ["raw.events", { partition: "2024-03-03" }, "ALMANAC_BAD_PARTITION_KEY"],
      ["raw.events", { from: "2024-03-04-02:00", to: "2024-03-04-01:00" }, "ALMANAC_BAD_PARTITION_RANGE"],
      ["raw.events", { partition: "2024-03-04-02:00", from: "2024-03-04-01:00" }, "ALMANAC_BAD_PARTITION_RANGE"],
      ["raw.events", { partition: "2020-01-01-00:00" }, "ALMANAC_PARTITION_OUT_OF_RANGE"],
    ];
    for (const [source, request, code] of cases) {
      await assert.rejects(
        reportSourceEvent(f.ctx, source, request, { reportedBy: "api", now }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, code, `${source} ${JSON.stringify(request)}: ${error.message}`);
          return true;
        },
      );
    }
    // Without almanac.yml's sources: entry, readers of two definitions leave the keys ambiguous.
    const unlisted = { ...f.ctx, project: { ...f.ctx.project, sourcePartitions: new Map<string, string>() } };
    await assert.rejects(
      reportSourceEvent(unlisted, "raw.events", { partition: "2024-03-03-05:00" }, { reportedBy: "api", now }),
      /source raw\.events is read by assets of different partitions definitions, .*"hourly" \(events_hourly\)/,
    );
    assert.equal(await events(), before);
  });
});
