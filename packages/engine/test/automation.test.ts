import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type AutomationRun,
  evaluateAutomation,
  executeRun,
  materializeSelection,
  reportSourceEvent,
} from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRawEvents, symmetricDifference } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// `automation: eager` evaluated in-process (what the server does on each notification): a
// loader's reports start hours, hours start their day once all 24 are in, days their month and
// the unpartitioned total; what is queued, running, failed or already up to date is not
// requested again. The e2e test drives the same through real server and worker processes.
const projectDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "automation");
const now = new Date("2024-06-01T00:00:00Z");

describe("automation: eager", () => {
  let f: EngineFixture;
  const pass = (at = now) => evaluateAutomation(f.ctx, { now: at });
  /** Passes and runs until nothing more is due, as a server and a worker would; every run it recorded. */
  const settle = async (at = now): Promise<AutomationRun[]> => {
    const all: AutomationRun[] = [];
    for (let round = 0; round < 50; round++) {
      const { runs } = await pass(at);
      if (runs.length === 0) return all;
      all.push(...runs);
      for (const run of runs) assert.equal((await executeRun(f.ctx, run.runId)).status, "succeeded");
    }
    throw new Error("automation did not settle in 50 passes");
  };
  const report = (from: string, to: string) =>
    reportSourceEvent(f.ctx, "raw.events", { from, to }, { reportedBy: "cli", now });
  const automationRuns = async (asset: string) =>
    f.query<{ partition_from: string | null; partition_to: string | null; status: string }>(
      `select partition_from, partition_to, status from almanac.runs
        where trigger = 'automation' and selection = $1 order by created_at`,
      [asset],
    );
  const materialized = async (asset: string) =>
    (
      await f.query<{ n: number }>(
        "select count(*)::int as n from almanac.asset_partitions where asset_key = $1 and status = 'materialized'",
        [asset],
      )
    )[0]?.n;

  before(async () => {
    f = await engineFixture(projectDir);
    await createRawEvents(f.pool, { from: "2024-03-01T00:00:00Z", until: "2024-04-01T00:00:00Z" });
  });
  after(() => f?.close());

  test("a day waits for its missing hours, then runs once; each run says why it ran", async () => {
    await report("2024-03-01-00:00", "2024-03-01-11:00");
    const morning = await settle();
    assert.deepEqual(
      morning.map((run) => [run.asset, run.from, run.to]),
      [["events_hourly", "2024-03-01-00:00", "2024-03-01-11:00"]],
    );
    assert.equal(await materialized("events_daily"), 0);
    await report("2024-03-01-12:00", "2024-03-01-23:00");
    const rest = await settle();
    assert.deepEqual(
      rest.map((run) => [run.asset, run.from ?? "", run.to ?? ""]),
      [
        ["events_hourly", "2024-03-01-12:00", "2024-03-01-23:00"],
        ["events_daily", "2024-03-01", "2024-03-01"],
        ["daily_totals", "", ""],
      ],
    );
    // The month waits for its other 30 days; daily_usd waits for fx_rates, never built.
    assert.deepEqual(await automationRuns("events_monthly"), []);
    assert.deepEqual(await automationRuns("daily_usd"), []);
    const [daily] = await f.query<{ trigger: string; cause: unknown }>(
      "select trigger, cause from almanac.runs where selection = 'events_daily'",
    );
    assert.deepEqual(daily, {
      trigger: "automation",
      cause: {
        rule: "assets[1].automation: eager",
        upstream: [{ asset: "events_hourly", from: "2024-03-01-12:00", to: "2024-03-01-23:00" }],
      },
    });
    assert.deepEqual(
      await symmetricDifference(
        f.pool,
        "select * from public.events_daily",
        `select occurred_at::date as day, count(distinct date_trunc('hour', occurred_at))::int as hours,
           count(*)::bigint as events, sum(amount) as amount
         from raw.events where occurred_at < '2024-03-02' group by 1`,
      ),
      [],
    );
  });

  test("a partition queued or running is not requested again, and an update already answered requests nothing", async () => {
    await report("2024-03-02-00:00", "2024-03-02-23:00");
    const first = await pass();
    assert.deepEqual(
      first.runs.map((run) => run.asset),
      ["events_hourly"],
    );
    // The loader reports the same hours again while their run is still queued.
    await report("2024-03-02-00:00", "2024-03-02-23:00");
    assert.deepEqual((await pass()).runs, []);
    const [queued] = first.runs;
    assert.ok(queued);
    assert.equal((await executeRun(f.ctx, queued.runId)).status, "succeeded");
    // The run read the second report's data too (it ran after it): nothing is behind.
    const after = await settle();
    assert.deepEqual(
      after.map((run) => run.asset),
      ["events_daily", "daily_totals"],
    );
    assert.equal((await automationRuns("events_hourly")).length, 3);
  });

  test("two passes at once request each partition once", async () => {
    await report("2024-03-03-00:00", "2024-03-03-11:00");
    await report("2024-03-03-12:00", "2024-03-03-23:00");
    const [a, b] = await Promise.all([pass(), pass()]);
    const hourly = [...(a?.runs ?? []), ...(b?.runs ?? [])].filter((run) => run.asset === "events_hourly");
    const keys = hourly.flatMap((run) => [run.from, run.to]);
    assert.equal(new Set(keys).size, keys.length, `a partition was requested twice: ${keys.join(", ")}`);
    for (const run of hourly) assert.equal((await executeRun(f.ctx, run.runId)).status, "succeeded");
    await settle();
    const days = await f.query<{ n: number }>(
      "select count(*)::int as n from almanac.runs where selection = 'events_daily' and partition_from = '2024-03-03'",
    );
    assert.equal(days[0]?.n, 1);
  });

  test("a failed partition is not requested again until what it reads is updated again", async () => {
    await f.query("alter table raw.events rename to events_away");
    await report("2024-03-04-00:00", "2024-03-04-23:00");
    const [failing] = (await pass()).runs;
    assert.ok(failing);
    assert.equal((await executeRun(f.ctx, failing.runId)).status, "failed");
    await f.query("alter table raw.events_away rename to events");
    // Another hour's report: that hour runs, the failed day's hours are not retried on their own.
    await report("2024-03-05-00:00", "2024-03-05-00:00");
    assert.deepEqual(
      (await settle()).map((run) => [run.asset, run.from]),
      [["events_hourly", "2024-03-05-00:00"]],
    );
    await report("2024-03-04-00:00", "2024-03-04-23:00");
    assert.deepEqual(
      (await settle()).map((run) => [run.asset, run.from]),
      [
        ["events_hourly", "2024-03-04-00:00"],
        ["events_daily", "2024-03-04"],
        ["daily_totals", undefined],
      ],
    );
  });

  test("a rebuilt unpartitioned upstream re-runs only the latest partition", async () => {
    // As of 03-05: the days so far are 03-01..03-04.
    const march5 = new Date("2024-03-05T00:00:00Z");
    for (const select of ["fx_rates", "daily_usd"]) {
      const built = await materializeSelection(
        f.ctx,
        select === "fx_rates" ? { select } : { select, from: "2024-03-01", to: "2024-03-04" },
        { now: march5 },
      );
      assert.equal(built.status, "succeeded");
    }
    assert.deepEqual(await settle(march5), []);
    f.ctx = { ...f.ctx, vars: { usd_rate: 1.25 } };
    assert.equal((await materializeSelection(f.ctx, { select: "fx_rates" }, { now: march5 })).status, "succeeded");
    assert.deepEqual(
      (await settle(march5)).map((run) => [run.asset, run.from, run.to]),
      [["daily_usd", "2024-03-04", "2024-03-04"]],
    );
    const rates = await f.query<{ day: string; rate: string }>(
      `select to_char(u.day, 'YYYY-MM-DD') as day, round(u.amount_usd / d.amount, 2)::text as rate
         from public.daily_usd u join public.events_daily d using (day) order by 1`,
    );
    assert.deepEqual(
      rates.map((row) => `${row.day} ${row.rate}`),
      ["2024-03-01 1.10", "2024-03-02 1.10", "2024-03-03 1.10", "2024-03-04 1.25"],
    );
  });

  test("the month runs once when its last day is in", async () => {
    f.ctx = { ...f.ctx, vars: {} };
    const hours = await materializeSelection(
      f.ctx,
      { select: "events_hourly", from: "2024-03-05-00:00", to: "2024-03-31-23:00" },
      { now },
    );
    assert.equal(hours.status, "succeeded");
    const followed = await settle();
    // One run: the 27 days' updates were all waiting when the pass took them.
    assert.deepEqual(
      followed.filter((run) => run.asset === "events_daily").map((run) => [run.from, run.to]),
      [["2024-03-05", "2024-03-31"]],
    );
    assert.deepEqual(await automationRuns("events_monthly"), [
      { partition_from: "2024-03-01", partition_to: "2024-03-01", status: "succeeded" },
    ]);
    assert.deepEqual(
      await symmetricDifference(
        f.pool,
        "select * from public.events_monthly",
        `select date '2024-03-01' as month, 31 as days, count(*)::bigint as events, sum(amount) as amount
           from raw.events`,
      ),
      [],
    );
  });

  test("nothing after the last complete partition: a loader's report ahead of the clock runs the hours so far", async () => {
    // A loader (on a clock ahead of the server's) reports all of 04-01; at noon only its
    // morning's hours are complete, and neither the day nor April is.
    await reportSourceEvent(
      f.ctx,
      "raw.events",
      { from: "2024-04-01-00:00", to: "2024-04-01-23:00" },
      { reportedBy: "cli", now: new Date("2024-04-02T00:00:00Z") },
    );
    assert.deepEqual(
      (await settle(new Date("2024-04-01T12:00:00Z"))).map((run) => [run.asset, run.from, run.to]),
      [["events_hourly", "2024-04-01-00:00", "2024-04-01-11:00"]],
    );
  });
});

describe("automation in almanac.yml", () => {
  test("refused at load, naming the key: an unknown automation, an unpartitioned model that reads nothing partitioned", async () => {
    const cases: [string, RegExp][] = [
      ["{ select: events_daily, partitions: daily, automation: eagre }", /assets\[0\]\.automation.*"eagre".*eager/],
      ["{ select: fx_rates, automation: eager }", /assets\[0\]\.automation: model "fx_rates" is not partitioned/],
    ];
    for (const [rule, message] of cases) {
      const dir = await projectWithRule(rule);
      await assert.rejects(loadProject(dir), (error: Error & { code?: string }) => {
        assert.equal(error.code, "ALMANAC_BAD_PROJECT_CONFIG");
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

/** A copy of the fixture whose almanac.yml has only `rule` under assets. */
async function projectWithRule(rule: string): Promise<string> {
  const { cp, mkdtemp, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-automation-"));
  await cp(projectDir, dir, { recursive: true });
  await writeFile(
    path.join(dir, "almanac.yml"),
    `partitions:\n  daily: { type: daily, start: 2024-03-01 }\nassets:\n  - ${rule}\n`,
  );
  return dir;
}
