import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { catchUpSchedules, executeRun, fireScheduleTick, materializeSelection, switchSchedule } from "@almanac/engine";
import { examplesDir } from "@almanac/testing";
import { generateOrders } from "../../../examples/shop_orders/scripts/load-orders.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// shop_orders: daily partitions cut at Europe/Berlin midnight from 2024-03-25, and a
// `berlin_nightly` schedule at 04:15 Berlin time over `tag:daily`.
const projectDir = path.join(examplesDir, "shop_orders");

describe("schedule ticks (shop_orders, Europe/Berlin)", () => {
  let f: EngineFixture;
  const enqueued: { runId: string; attempt: number }[] = [];
  const enqueue = async (run: { runId: string; attempt: number }) => {
    enqueued.push(run);
  };

  before(async () => {
    f = await engineFixture(projectDir);
    await generateOrders({ databaseUrl: f.database.url, from: "2024-03-24", to: "2024-04-03", ordersPerDay: 40 });
    // `tag:daily` holds the two marts; the staging view they read is built once, up front.
    await materializeSelection(f.ctx, { select: "stg_order_lines" }, { now: new Date("2024-04-01T00:00:00Z") });
  });
  after(() => f.close());

  const cases: [label: string, at: string, partition: string | null][] = [
    // 23:30 UTC on 03-30 is 00:30 on 03-31 in Berlin: the Berlin day 03-30 has just ended,
    // while the UTC day 03-30 has not. A UTC schedule would target 03-29.
    ["just after Berlin midnight (UTC still the day before)", "2024-03-30T23:30:00Z", "2024-03-30"],
    ["just before Berlin midnight", "2024-03-30T22:59:59Z", "2024-03-29"],
    // The 23-hour day: Berlin midnight at its end is 22:00 UTC (CEST, +02:00).
    ["at the end of the spring DST day", "2024-03-31T22:00:00Z", "2024-03-31"],
    ["before the first partition ends", "2024-03-25T12:00:00Z", null],
  ];
  for (const [label, at, partition] of cases) {
    test(`a tick ${label} targets ${partition ?? "nothing"}`, async () => {
      const { tick } = await fireScheduleTick(f.ctx, "berlin_nightly", { tickTime: new Date(at), enqueue });
      assert.equal(tick.partitionKey, partition);
      assert.equal(tick.status, partition ? "started" : "skipped");
      assert.equal(tick.tickTime.toISOString(), new Date(at).toISOString());
    });
  }

  test("the Berlin tick's run writes exactly that local day", async () => {
    const [tick] = await f.query<{ run_id: string }>(
      "select run_id from almanac.schedule_ticks where partition_key = '2024-03-30' and status = 'started'",
    );
    assert.ok(tick?.run_id);
    const result = await executeRun(f.ctx, tick.run_id);
    assert.equal(result.status, "succeeded");
    const days = await f.query<{ order_date: string }>(
      "select distinct order_date::text from public.order_lines_daily order by 1",
    );
    assert.deepEqual(
      days.map((d) => d.order_date),
      ["2024-03-30"],
    );
    const [run] = await f.query<{ trigger: string; partition_from: string; partition_to: string }>(
      "select trigger, partition_from, partition_to from almanac.runs where id = $1",
      [tick.run_id],
    );
    assert.deepEqual(run, { trigger: "schedule", partition_from: "2024-03-30", partition_to: "2024-03-30" });
  });

  test("a second firing for the same partition is skipped and starts nothing, even concurrently", async () => {
    const runsBefore = await f.query("select id from almanac.runs");
    const racing = await Promise.all(
      [1, 2].map(() =>
        fireScheduleTick(f.ctx, "berlin_nightly", { tickTime: new Date("2024-04-02T02:15:00Z"), enqueue }),
      ),
    );
    assert.deepEqual(racing.map((o) => o.tick.status).sort(), ["skipped", "started"]);
    const started = racing.find((o) => o.tick.status === "started")?.tick;
    assert.equal(started?.partitionKey, "2024-04-01");
    // Later the same day (a restart, a person pressing "tick"): the same partition again.
    const { tick: later } = await fireScheduleTick(f.ctx, "berlin_nightly", {
      tickTime: new Date("2024-04-02T09:00:00Z"),
      enqueue,
    });
    assert.equal(later.status, "skipped");
    assert.equal(later.runId, started?.runId, "a skipped tick names the run that has the partition");
    assert.match(later.message ?? "", /2024-04-01 was already launched by the tick of 2024-04-02T02:15:00.000Z/);
    const runsAfter = await f.query("select id from almanac.runs");
    assert.equal(runsAfter.length, runsBefore.length + 1);
    assert.equal(enqueued.filter((r) => r.runId === started?.runId).length, 1);
  });

  test("a schedule that is off records skipped ticks; catch-up leaves it alone", async () => {
    await switchSchedule(f.ctx, "berlin_nightly", false);
    const { tick } = await fireScheduleTick(f.ctx, "berlin_nightly", {
      tickTime: new Date("2024-04-03T02:15:00Z"),
      enqueue,
    });
    assert.equal(tick.status, "skipped");
    assert.match(tick.message ?? "", /is off/);
    assert.deepEqual(await catchUpSchedules(f.ctx, { now: new Date("2024-04-05T12:00:00Z"), enqueue }), []);
    await switchSchedule(f.ctx, "berlin_nightly", true);
  });

  test("catch-up fires the missed partitions of the last days, oldest first, once", async () => {
    const now = new Date("2024-04-05T12:00:00Z");
    const [report] = await catchUpSchedules(f.ctx, { now, days: 3, enqueue });
    // Ticks at 04:15 Berlin on 04-03, 04-04, 04-05 target 04-02, 04-03, 04-04; 04-01 was
    // launched above (no new row), and 04-01's own tick is older than three days.
    assert.deepEqual(
      report?.fired.map((o) => [o.tick.tickTime.toISOString(), o.tick.partitionKey, o.tick.status]),
      [
        ["2024-04-03T02:15:00.000Z", "2024-04-02", "started"],
        ["2024-04-04T02:15:00.000Z", "2024-04-03", "started"],
        ["2024-04-05T02:15:00.000Z", "2024-04-04", "started"],
      ],
    );
    // A restart: everything in the window is claimed, nothing fires and nothing is recorded.
    const ticksBefore = await f.query("select id from almanac.schedule_ticks");
    const [again] = await catchUpSchedules(f.ctx, { now, days: 3, enqueue });
    assert.deepEqual(again?.fired, []);
    assert.equal((await f.query("select id from almanac.schedule_ticks")).length, ticksBefore.length);
  });

  test("a tick whose request is refused is recorded failed and frees its partition", async () => {
    // The definition has no `end`, but a partition after the tick's own "now" is refused: use a
    // schedule over a selection that matches nothing by editing the loaded project in memory.
    const broken = {
      ...f.ctx,
      project: {
        ...f.ctx.project,
        schedules: f.ctx.project.schedules.map((s) => ({ ...s, select: "tag:nothing_has_this_tag" })),
      },
    };
    const at = new Date("2024-04-06T02:15:00Z");
    const { tick } = await fireScheduleTick(broken, "berlin_nightly", { tickTime: at, enqueue });
    assert.equal(tick.status, "failed");
    assert.match(tick.message ?? "", /^ALMANAC_/);
    // Mended: the next firing claims the partition and starts the run.
    const mended = await fireScheduleTick(f.ctx, "berlin_nightly", { tickTime: at, enqueue });
    assert.equal(mended.tick.status, "started");
    assert.equal(mended.tick.partitionKey, "2024-04-05");
  });

  test("a claim left by a process that died mid-tick is taken over by the next firing", async () => {
    await f.query(
      `insert into almanac.schedule_ticks (schedule_name, tick_time, partition_key, status, created_at)
       values ('berlin_nightly', '2024-04-07T02:15:00Z', '2024-04-06', 'started', now() - interval '1 hour')`,
    );
    const { tick } = await fireScheduleTick(f.ctx, "berlin_nightly", {
      tickTime: new Date("2024-04-07T02:15:00Z"),
      enqueue,
    });
    assert.equal(tick.status, "started");
    assert.ok(tick.runId);
    const [abandoned] = await f.query<{ status: string; message: string }>(
      "select status, message from almanac.schedule_ticks where partition_key = '2024-04-06' and run_id is null",
    );
    assert.equal(abandoned?.status, "failed");
    assert.match(abandoned?.message ?? "", /abandoned/);
  });

  // Regression (fault suite, crash-looping schedule process): a server killed between claiming a
  // tick and recording its run left a claim that catch-up skipped and no firing freed for five
  // minutes, so the partition was never launched. The launch lock tells dead from in flight.
  const runlessClaim = (tickTime: string, partition: string) =>
    f.query(
      `insert into almanac.schedule_ticks (schedule_name, tick_time, partition_key, status)
       values ('berlin_nightly', $1, $2, 'started')`,
      [tickTime, partition],
    );

  test("a fresh claim whose launcher died is taken over at once, by a firing or by catch-up", async () => {
    await runlessClaim("2024-04-09T02:15:00Z", "2024-04-08");
    const { tick } = await fireScheduleTick(f.ctx, "berlin_nightly", {
      tickTime: new Date("2024-04-09T02:15:00Z"),
      enqueue,
    });
    assert.equal(tick.status, "started");
    assert.equal(tick.partitionKey, "2024-04-08");
    assert.ok(tick.runId);

    await runlessClaim("2024-04-12T02:15:00Z", "2024-04-11");
    const [report] = await catchUpSchedules(f.ctx, { now: new Date("2024-04-12T12:00:00Z"), days: 1, enqueue });
    assert.deepEqual(
      report?.fired.map(({ tick: t }) => [t.partitionKey, t.status, t.runId !== null]),
      [["2024-04-11", "started", true]],
    );
  });

  test("a claim whose launcher is alive (it holds the launch lock) is left to it", async () => {
    await runlessClaim("2024-04-10T02:15:00Z", "2024-04-09");
    const launcher = await f.pool.connect();
    try {
      await launcher.query("select pg_advisory_lock(hashtextextended('almanac:tick:berlin_nightly:2024-04-09', 0))");
      const { tick } = await fireScheduleTick(f.ctx, "berlin_nightly", {
        tickTime: new Date("2024-04-10T03:00:00Z"),
        enqueue,
      });
      assert.equal(tick.status, "skipped");
      assert.match(tick.message ?? "", /2024-04-09 is being launched by another process/);
    } finally {
      await launcher.query("select pg_advisory_unlock_all()");
      launcher.release();
    }
    const [claim] = await f.query(
      "select status, run_id from almanac.schedule_ticks where partition_key = '2024-04-09' and status = 'started'",
    );
    assert.deepEqual(claim, { status: "started", run_id: null }, "the live launcher's claim is untouched");
  });

  test("an unknown schedule is ALMANAC_UNKNOWN_SCHEDULE and records nothing", async () => {
    const before = await f.query("select id from almanac.schedule_ticks");
    await assert.rejects(fireScheduleTick(f.ctx, "nope", { tickTime: new Date(), enqueue }), {
      code: "ALMANAC_UNKNOWN_SCHEDULE",
      message: /no schedule named "nope" \(defined: berlin_nightly\)/,
    });
    assert.equal((await f.query("select id from almanac.schedule_ticks")).length, before.length);
  });
});
