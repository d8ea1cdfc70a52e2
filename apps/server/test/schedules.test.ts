import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { executeRun, materializeSelection } from "@almanac/engine";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/index.js";
import { now, type ServerFixture, serverFixture } from "./server-fixture.js";

// nyc_taxi's `nightly` schedule: `+tag:daily` (daily_metrics, daily_zone_metrics) at 03:00 UTC
// over daily UTC partitions from 2024-01-01. The app's clock is fixed at 2024-01-10T12:00Z.
describe("schedules API", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true });
    // The marts read the staging views, built once as they would be in a deployment.
    await materializeSelection(f.ctx, { select: "stg_trips stg_zones" }, { now });
  });
  after(() => f.close());

  const post = (url: string, payload?: unknown) =>
    f.app.inject({ method: "POST", url, ...(payload === undefined ? {} : { payload: payload as object }) });
  const countTicks = async () =>
    (await f.query<{ n: number }>("select count(*)::int as n from almanac.schedule_ticks"))[0]?.n;

  test("GET /api/schedules lists each schedule with its cron, switch and next tick", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/schedules" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      schedules: [
        {
          name: "nightly",
          select: "+tag:daily",
          partitions: "daily",
          cron: "0 3 * * *",
          timezone: "UTC",
          lookback: 0,
          enabled: true,
          nextTick: "2024-01-11T03:00:00.000Z",
          lastTicks: [],
        },
      ],
    });
  });

  test("a tick at an injected time materializes the last complete partition, once even when fired twice", async () => {
    const runsBefore = await f.countRuns();
    const first = await post("/api/schedules/nightly/tick", { at: "2024-01-03T03:00:00Z" });
    assert.equal(first.statusCode, 202);
    const tick = first.json().tick;
    assert.equal(tick.status, "started");
    assert.equal(tick.partitionKey, "2024-01-02");
    assert.equal(tick.tickTime, "2024-01-03T03:00:00.000Z");
    assert.match(tick.runId, /^[0-9a-f-]{36}$/);

    const again = await post("/api/schedules/nightly/tick", { at: "2024-01-03T03:00:00Z" });
    assert.equal(again.statusCode, 202);
    assert.equal(again.json().tick.status, "skipped");
    assert.equal(again.json().tick.runId, tick.runId);
    assert.equal(await f.countRuns(), runsBefore + 1, "one run for the partition");
    assert.deepEqual(await f.jobIds(), [`run.${tick.runId}.0`], "one job for it");

    // A worker executes the job: here, the engine in-process on the same run.
    assert.equal((await executeRun(f.ctx, tick.runId)).status, "succeeded");
    const rows = await f.query<{ date: string; trip_count: string }>(
      "select date::text, trip_count::text from public.daily_metrics order by date",
    );
    const [source] = await f.query<{ n: string }>(
      "select count(*)::text as n from raw.trips where tpep_pickup_datetime >= '2024-01-02' and tpep_pickup_datetime < '2024-01-03'",
    );
    assert.deepEqual(rows, [{ date: "2024-01-02", trip_count: source?.n }]);
    const [run] = await f.query<{ trigger: string }>("select trigger from almanac.runs where id = $1", [tick.runId]);
    assert.equal(run?.trigger, "schedule");

    const listed = (await f.app.inject({ method: "GET", url: "/api/schedules" })).json().schedules[0];
    assert.deepEqual(
      listed.lastTicks.map((t: { status: string; partitionKey: string }) => `${t.status} ${t.partitionKey}`),
      ["skipped 2024-01-02", "started 2024-01-02"],
    );
  });

  test("without `at` a tick stands for now and targets the day that just ended", async () => {
    const res = await post("/api/schedules/nightly/tick");
    assert.equal(res.statusCode, 202);
    assert.equal(res.json().tick.tickTime, now.toISOString());
    assert.equal(res.json().tick.partitionKey, "2024-01-09");
  });

  test("bad input: 400 for an unknown schedule or a bad `at`; nothing recorded", async () => {
    const before = await countTicks();
    for (const url of ["/api/schedules/nope/tick", "/api/schedules/nope/enable", "/api/schedules/nope/disable"]) {
      const res = await post(url, url.endsWith("tick") ? {} : undefined);
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, "ALMANAC_UNKNOWN_SCHEDULE");
      assert.match(res.json().error.message, /no schedule named "nope" \(defined: nightly\)/);
    }
    const badAt: [unknown, RegExp][] = [
      ["yesterday", /not an ISO-8601 instant/],
      ["2024-01-03", /not an ISO-8601 instant/],
      ["2024-01-03T03:00:00", /not an ISO-8601 instant/],
      ["2024-02-30T03:00:00Z", /not an ISO-8601 instant/],
      ["2024-02-01T00:00:00Z", /in the future/],
      [5, /body\/at/],
    ];
    for (const [at, message] of badAt) {
      const res = await post("/api/schedules/nightly/tick", { at });
      assert.equal(res.statusCode, 400, String(at));
      assert.equal(res.json().error.code, "ALMANAC_BAD_REQUEST");
      assert.match(res.json().error.message, message);
    }
    const extra = await post("/api/schedules/nightly/tick", { at: "2024-01-05T03:00:00Z", partition: "x" });
    assert.equal(extra.statusCode, 400);
    assert.equal(await countTicks(), before);
  });

  test("turning a schedule off survives a restart; its ticks are skipped until it is on again", async () => {
    const off = await post("/api/schedules/nightly/disable");
    assert.equal(off.statusCode, 200);
    assert.equal(off.json().enabled, false);

    // A new server process over the same database.
    await f.app.close();
    const restarted: FastifyInstance = await buildApp({ ctx: f.ctx, runQueue: f.queue, logger: false, now: () => now });
    try {
      const listed = (await restarted.inject({ method: "GET", url: "/api/schedules" })).json().schedules[0];
      assert.equal(listed.enabled, false);
      const tick = await restarted.inject({
        method: "POST",
        url: "/api/schedules/nightly/tick",
        payload: { at: "2024-01-06T03:00:00Z" },
      });
      assert.equal(tick.statusCode, 202);
      assert.equal(tick.json().tick.status, "skipped");
      assert.match(tick.json().tick.message, /nightly is off/);

      const on = await restarted.inject({ method: "POST", url: "/api/schedules/nightly/enable" });
      assert.equal(on.json().enabled, true);
      const retick = await restarted.inject({
        method: "POST",
        url: "/api/schedules/nightly/tick",
        payload: { at: "2024-01-06T03:00:00Z" },
      });
      assert.equal(retick.json().tick.status, "started");
      assert.equal(retick.json().tick.partitionKey, "2024-01-05");
    } finally {
      await restarted.close();
    }
  });
});
