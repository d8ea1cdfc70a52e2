import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  assetPartitionGrid,
  assetPartitionStatuses,
  compileModel,
  executeBackfill,
  executeRun,
  fireScheduleTick,
  materializeSelection,
  planBackfill,
  planRequest,
  requestBackfill,
  requestRun,
  resolveRunRequest,
} from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { storeDb } from "@almanac/store";
import { symmetricDifference } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// New York hours, days and months across the 2024-03-10 spring-forward day, a 7-day rolling
// window and a running total; every table is compared with SQL written against the raw events.
const projectDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "grains");
const now = new Date("2024-06-01T00:00:00Z");
const nyDay = "(occurred_at at time zone 'America/New_York')::date";

/** One event every 7 minutes from 2024-02-28 to 2024-04-03 UTC, its amount from its time. */
async function loadEvents(f: EngineFixture): Promise<void> {
  await f.query(`create schema raw;
    create table raw.events as
    select ts as occurred_at, ((extract(epoch from ts)::bigint / 60) % 97)::numeric / 4 as amount
      from generate_series('2024-02-28T00:00:00Z'::timestamptz, '2024-04-03T00:00:00Z', interval '7 minutes') as ts`);
}

const stepLabels = (steps: readonly { assetKey: string; partitionFrom?: string; partitionTo?: string }[]) =>
  steps.map((s) => `${s.assetKey} ${s.partitionFrom}..${s.partitionTo}`);

describe("partitions across definitions", () => {
  let f: EngineFixture;
  before(async () => {
    f = await engineFixture(projectDir);
    await loadEvents(f);
  });
  after(() => f?.close());

  test("planning +events_daily for a day runs that day's New York hours first", () => {
    const { steps } = planRequest(f.ctx.project, { select: "+events_daily", partition: "2024-03-10" }, now);
    // The spring-forward day has 23 hours: one step (at most 24 per step, its own policy).
    assert.deepEqual(stepLabels(steps), [
      "events_hourly 2024-03-10-00:00..2024-03-10-23:00",
      "events_daily 2024-03-10..2024-03-10",
    ]);
    assert.equal(steps[0]?.partitionKeys.length, 23);
  });

  test("+events_daily for March runs 743 hours and 31 days, and equals SQL over the raw events", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+events_daily", from: "2024-03-01", to: "2024-03-31" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    const [hours] = await f.query<{ n: number }>(
      "select count(*)::int as n from almanac.asset_partitions where asset_key = 'events_hourly' and status = 'materialized'",
    );
    assert.equal(hours?.n, 743);
    const expected = `select ${nyDay} as day, count(distinct date_trunc('hour', occurred_at))::int as hours,
        count(*)::bigint as events, sum(amount) as amount
      from raw.events
     where occurred_at >= '2024-03-01T00:00:00-05:00' and occurred_at < '2024-04-01T00:00:00-04:00'
     group by 1`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.events_daily", expected), []);
    const [dst] = await f.query<{ hours: number }>("select hours from public.events_daily where day = '2024-03-10'");
    assert.equal(dst?.hours, 23);
  });

  test("a month reads its days; the request's keys are the month's", async () => {
    const result = await materializeSelection(f.ctx, { select: "events_monthly", partition: "2024-03-01" }, { now });
    assert.equal(result.status, "succeeded");
    const expected = `select date '2024-03-01' as month, count(distinct ${nyDay})::int as days,
        count(*)::bigint as events, sum(amount) as amount
      from raw.events
     where occurred_at >= '2024-03-01T00:00:00-05:00' and occurred_at < '2024-04-01T00:00:00-04:00'`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.events_monthly", expected), []);
  });

  test("a rolling week reads the day and the six before it, clipped at the definition's start", async () => {
    const { steps } = planRequest(f.ctx.project, { select: "+rolling_7d", from: "2024-03-11", to: "2024-03-12" }, now);
    const daily = steps.filter((s) => s.assetKey === "events_daily").map((s) => s.partitionFrom);
    assert.deepEqual(daily, [
      "2024-03-05",
      "2024-03-06",
      "2024-03-07",
      "2024-03-08",
      "2024-03-09",
      "2024-03-10",
      "2024-03-11",
      "2024-03-12",
    ]);
    // Each upstream day once, before the first rolling day that reads it.
    assert.deepEqual(
      stepLabels(steps).filter((s) => !s.startsWith("events_hourly")),
      [
        ...daily.slice(0, 7).map((d) => `events_daily ${d}..${d}`),
        "rolling_7d 2024-03-11..2024-03-11",
        "events_daily 2024-03-12..2024-03-12",
        "rolling_7d 2024-03-12..2024-03-12",
      ],
    );
    const first = planRequest(f.ctx.project, { select: "+rolling_7d", partition: "2024-03-01" }, now);
    assert.deepEqual(
      first.steps.filter((s) => s.assetKey === "events_daily").map((s) => s.partitionFrom),
      ["2024-03-01"],
    );

    const result = await materializeSelection(
      f.ctx,
      { select: "rolling_7d", from: "2024-03-07", to: "2024-03-31" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    const expected = `with days as (select ${nyDay} as day, sum(amount) as amount from raw.events group by 1)
      select d.day, (select sum(w.amount) from days w where w.day > d.day - 7 and w.day <= d.day) as amount_7d
        from days d where d.day between '2024-03-07' and '2024-03-31'`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.rolling_7d", expected), []);
  });

  test("a running total reads its own day before, in key order, and a re-run day keeps the total", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "cumulative", from: "2024-03-01", to: "2024-03-31" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    const expected = `with days as (select ${nyDay} as day, sum(amount) as amount from raw.events
                      where ${nyDay} between '2024-03-01' and '2024-03-31' group by 1)
      select day, sum(amount) over (order by day) as total from days`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.cumulative", expected), []);
    const again = await materializeSelection(f.ctx, { select: "cumulative", partition: "2024-03-10" }, { now });
    assert.equal(again.status, "succeeded");
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.cumulative", expected), []);
  });

  test("a failed hour skips the day that reads it, naming it, and the other days go on", async () => {
    await f.query(
      "update raw.events set amount = null where occurred_at >= '2024-03-20T14:00:00-04:00' and occurred_at < '2024-03-20T15:00:00-04:00'",
    );
    await f.query("alter table public.events_hourly alter column amount set not null");
    try {
      const result = await materializeSelection(
        f.ctx,
        { select: "+events_daily", from: "2024-03-19", to: "2024-03-21" },
        { now },
      );
      assert.equal(result.status, "failed");
      const byLabel = new Map(result.steps.map((s) => [`${s.assetKey} ${s.partitionFrom}`, s]));
      assert.equal(byLabel.get("events_hourly 2024-03-20-00:00")?.status, "failed");
      const skipped = byLabel.get("events_daily 2024-03-20");
      assert.equal(skipped?.status, "skipped");
      assert.match(skipped?.errorMessage ?? "", /upstream events_hourly \[2024-03-20-\d\d:00\] failed/);
      assert.equal(byLabel.get("events_daily 2024-03-19")?.status, "succeeded");
      assert.equal(byLabel.get("events_daily 2024-03-21")?.status, "succeeded");
    } finally {
      await f.query("alter table public.events_hourly alter column amount drop not null");
    }
  });

  test("a backfill plans each upstream partition once, and runs that read another run's partitions in later waves", () => {
    const waves = (select: string, from: string, to: string) => {
      const resolved = resolveRunRequest(f.ctx.project, { select, from, to }, now);
      return planBackfill(f.ctx.project, resolved, resolved.keys, { type: "multi_run", maxPartitionsPerRun: 1 }).map(
        (run) =>
          `${run.wave} ${run.partitionKeys.join(",")} ${run.steps.filter((s) => s.assetKey === "events_daily").length}`,
      );
    };
    // Days read disjoint hours: all side by side.
    assert.deepEqual(waves("+events_daily", "2024-03-01", "2024-03-03"), [
      "0 2024-03-01 1",
      "0 2024-03-02 1",
      "0 2024-03-03 1",
    ]);
    // The first rolling day plans its seven days; each next one adds its own, after the one before.
    assert.deepEqual(waves("+rolling_7d", "2024-03-08", "2024-03-10"), [
      "0 2024-03-08 7",
      "1 2024-03-09 1",
      "2 2024-03-10 1",
    ]);
    // A running total: one day after the other.
    assert.deepEqual(waves("cumulative", "2024-03-01", "2024-03-03"), [
      "0 2024-03-01 0",
      "1 2024-03-02 0",
      "2 2024-03-03 0",
    ]);
  });

  test("a backfill of the running total gives the running sum, day after day", async () => {
    await f.query("drop table public.cumulative");
    await f.query("delete from almanac.asset_partitions where asset_key = 'cumulative'");
    const backfill = await requestBackfill(
      f.ctx,
      { select: "cumulative", from: "2024-03-01", to: "2024-03-15" },
      { now },
    );
    const done = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(done.status, "completed");
    const expected = `with days as (select ${nyDay} as day, sum(amount) as amount from raw.events
                      where ${nyDay} between '2024-03-01' and '2024-03-15' group by 1)
      select day, sum(amount) over (order by day) as total from days`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.cumulative", expected), []);
  });

  const grid = async (asset: string, from: string, to: string) =>
    (await assetPartitionGrid(f.ctx, asset, { from, to, now })).statuses;

  test("staleness follows the mappings: the rolling days and the month that read a re-run day, the total after a re-run day", async () => {
    const run = async (select: string, partition: string) =>
      assert.equal((await materializeSelection(f.ctx, { select, partition }, { now })).status, "succeeded");
    await run("events_monthly", "2024-03-01");
    assert.equal(await grid("events_monthly", "2024-03-01", "2024-03-01"), "m");
    assert.equal(await grid("rolling_7d", "2024-03-05", "2024-03-13"), "--mmmmmmm");
    assert.equal(await grid("cumulative", "2024-03-04", "2024-03-12"), "mmmmmmmmm");

    await run("events_daily", "2024-03-05");
    // 03-07..03-11 read 03-05 among their seven days; 03-12 starts at 03-06.
    assert.equal(await grid("rolling_7d", "2024-03-05", "2024-03-13"), "--sssssmm");
    assert.equal(await grid("events_monthly", "2024-03-01", "2024-03-01"), "s");
    // The running total reads the same day of events_daily (staleness is not transitive: 03-06
    // reads the stored 03-05, which did not change), and its own day before.
    assert.equal(await grid("cumulative", "2024-03-04", "2024-03-12"), "msmmmmmmm");
    await run("cumulative", "2024-03-10");
    assert.equal(await grid("cumulative", "2024-03-09", "2024-03-12"), "mmsm");

    // The listing decides staleness as the grid does.
    const entries = await assetPartitionStatuses(storeDb(f.pool), f.ctx.project, f.ctx.target, "rolling_7d", {
      from: "2024-03-10",
      to: "2024-03-12",
      now,
    });
    assert.deepEqual(
      entries.map((e) => `${e.key} ${e.stale}`),
      ["2024-03-10 true", "2024-03-11 true", "2024-03-12 false"],
    );
  });

  test("a partition whose upstream was never materialized runs, with a warning naming what it lacks", async () => {
    const result = await materializeSelection(f.ctx, { select: "rolling_7d", partition: "2024-04-02" }, { now });
    assert.equal(result.status, "succeeded");
    const events = await f.query<{ message: string; data: unknown }>(
      "select message, data from almanac.run_events where run_id = $1 and level = 'warn'",
      [result.runId],
    );
    assert.deepEqual(events, [
      {
        message:
          "rolling_7d [2024-04-02]: upstream partitions never materialized, reading what is there: events_daily [2024-04-01..2024-04-02]",
        data: { missingUpstream: { events_daily: ["2024-04-01", "2024-04-02"] } },
      },
    ]);
    // Built with the upstream in the same run, nothing is missing.
    const both = await materializeSelection(f.ctx, { select: "+rolling_7d", partition: "2024-04-02" }, { now });
    const warned = await f.query("select 1 from almanac.run_events where run_id = $1 and level = 'warn'", [both.runId]);
    assert.deepEqual(warned, []);
  });

  test("a schedule with lookback runs its target and the days before it in one run, joining a run that holds them", async () => {
    const enqueued: string[] = [];
    const enqueue = async (run: { runId: string }) => {
      enqueued.push(run.runId);
    };
    const steps = async (runId: string) =>
      (
        await f.query<{ label: string }>(
          "select asset_key || ' ' || partition_from as label from almanac.run_steps where run_id = $1 order by idx",
          [runId],
        )
      ).map((row) => row.label);
    // 06:00 in New York on 03-15: the target is 03-14, and lookback 2 adds 03-12 and 03-13.
    const { tick } = await fireScheduleTick(f.ctx, "late", { tickTime: new Date("2024-03-15T10:00:00Z"), enqueue });
    assert.equal(tick.partitionKey, "2024-03-14");
    assert.ok(tick.runId);
    assert.deepEqual(await steps(tick.runId), [
      "events_daily 2024-03-12",
      "events_daily 2024-03-13",
      "events_daily 2024-03-14",
    ]);
    assert.equal((await executeRun(f.ctx, tick.runId)).status, "succeeded");
    // Clipped at the definition's start: the first day has no days before it.
    const first = await fireScheduleTick(f.ctx, "late", { tickTime: new Date("2024-03-02T11:00:00Z"), enqueue });
    assert.deepEqual(await steps(first.tick.runId ?? ""), ["events_daily 2024-03-01"]);
    // A run already holding the three days queued is joined, not doubled.
    const queued = await requestRun(
      f.ctx,
      { select: "events_daily", from: "2024-03-20", to: "2024-03-22" },
      { now, trigger: "api" },
    );
    const joined = await fireScheduleTick(f.ctx, "late", { tickTime: new Date("2024-03-23T10:00:00Z"), enqueue });
    assert.equal(joined.tick.runId, queued.runId);
    assert.match(joined.tick.message ?? "", /^joined run/);
    assert.equal((await executeRun(f.ctx, queued.runId)).status, "succeeded");
    // A run holding only some of the tick's days queued: the tick records a run of its own, and
    // the two take turns on the shared day (the partition lock), each writing it whole.
    const partial = await requestRun(
      f.ctx,
      { select: "events_daily", from: "2024-03-25", to: "2024-03-26" },
      { now, trigger: "api" },
    );
    const own = await fireScheduleTick(f.ctx, "late", { tickTime: new Date("2024-03-28T10:00:00Z"), enqueue });
    assert.ok(own.tick.runId);
    assert.notEqual(own.tick.runId, partial.runId);
    assert.deepEqual(await steps(own.tick.runId), [
      "events_daily 2024-03-25",
      "events_daily 2024-03-26",
      "events_daily 2024-03-27",
    ]);
    const both = await Promise.all([executeRun(f.ctx, partial.runId), executeRun(f.ctx, own.tick.runId)]);
    assert.deepEqual(
      both.map((result) => result.status),
      ["succeeded", "succeeded"],
    );
    const days = await f.query<{ day: string; hours: number }>(
      "select to_char(day, 'YYYY-MM-DD') as day, hours from public.events_daily where day between '2024-03-25' and '2024-03-27' order by 1",
    );
    assert.deepEqual(
      days.map((row) => `${row.day} ${row.hours}`),
      ["2024-03-25 24", "2024-03-26 24", "2024-03-27 24"],
    );

    // A microbatch model's lookback (2 here; dbt's default 1) is run again on every tick too.
    const batches = await fireScheduleTick(f.ctx, "late_batches_nightly", {
      tickTime: new Date("2024-03-15T10:00:00Z"),
      enqueue,
    });
    assert.deepEqual(await steps(batches.tick.runId ?? ""), [
      "late_batches 2024-03-12",
      "late_batches 2024-03-13",
      "late_batches 2024-03-14",
    ]);
    assert.equal((await executeRun(f.ctx, batches.tick.runId ?? "")).status, "succeeded");
    // New York days, each batch read from the source filtered to its window in UTC.
    const expected = `select occurred_at, amount from raw.events
      where occurred_at >= '2024-03-12T00:00:00-04:00' and occurred_at < '2024-03-15T00:00:00-04:00'`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.late_batches", expected), []);
  });

  test("a dbt microbatch model is partitioned by its batches, reads its inputs filtered to each batch, and equals SQL", async () => {
    const def = f.ctx.project.partitions.get("microbatch_day_2024-03-01");
    assert.deepEqual(
      [def?.type, def?.timezone, f.ctx.project.models.get("events_batched")?.config.partitions],
      ["daily", "UTC", "microbatch_day_2024-03-01"],
    );
    const sql = compileModel(f.ctx.project, "batched_daily", {
      target: f.ctx.target,
      partition: "2024-03-02",
      now,
    });
    assert.match(
      sql,
      /from \(select \* from "public"\."events_batched" where occurred_at >= '2024-03-02 00:00:00\+00:00' and occurred_at < '2024-03-03 00:00:00\+00:00'\) _dbt_et_filter_subq_events_batched/,
    );
    const result = await materializeSelection(
      f.ctx,
      { select: "+batched_daily", from: "2024-03-01", to: "2024-03-05" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    assert.equal(result.steps.length, 10);
    const utc = "occurred_at >= '2024-03-01T00:00:00Z' and occurred_at < '2024-03-06T00:00:00Z'";
    const rows = `select occurred_at, amount, to_char(occurred_at at time zone 'UTC', 'YYYYMMDD') as batch_id
      from raw.events where ${utc}`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.events_batched", rows), []);
    const days = `select date_trunc('day', occurred_at at time zone 'UTC') at time zone 'UTC' as day_start,
        count(*)::bigint as events, sum(amount) as amount from raw.events where ${utc} group by 1`;
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.batched_daily", days), []);
    // Every batch's status is recorded (dbt keeps none); re-running one batch rewrites only it.
    assert.equal(await grid("events_batched", "2024-03-01", "2024-03-07"), "mmmmm--");
    assert.equal(
      (await materializeSelection(f.ctx, { select: "events_batched", partition: "2024-03-03" }, { now })).status,
      "succeeded",
    );
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.events_batched", rows), []);
  });

  test("a selection ending in two definitions is refused, naming them, unless the request names one", () => {
    assert.throws(
      () => planRequest(f.ctx.project, { select: "events_monthly rolling_7d", partition: "2024-03-01" }, now),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "ALMANAC_BAD_SELECTOR");
        assert.match(
          error.message,
          /"daily" \(rolling_7d\) and "monthly" \(events_monthly\)|"monthly" \(events_monthly\) and "daily" \(rolling_7d\)/,
        );
        return true;
      },
    );
    const { steps } = planRequest(
      f.ctx.project,
      { select: "events_monthly rolling_7d", from: "2024-03-30", to: "2024-03-31", partitions: "daily" },
      now,
    );
    assert.deepEqual(stepLabels(steps), [
      "events_monthly 2024-03-01..2024-03-01",
      "rolling_7d 2024-03-30..2024-03-30",
      "rolling_7d 2024-03-31..2024-03-31",
    ]);
  });
});

describe("partition mappings, lookback and microbatch config refused at load", () => {
  const cases: [name: string, from: string, to: string, message: RegExp, file?: string][] = [
    [
      "a mapping on a model the asset does not read",
      "      events_daily: { start_offset: -6, end_offset: 0 }",
      "      events_hourly: { start_offset: -6, end_offset: 0 }",
      /^almanac\.yml: assets\[3\]\.deps\.events_hourly: model "rolling_7d" does not read "events_hourly" \(it reads events_daily\)/,
    ],
    [
      "a self-dependency on the same partition",
      "      cumulative: { start_offset: -1, end_offset: -1 }",
      "      cumulative: { start_offset: -1, end_offset: 0 }",
      /^almanac\.yml: assets\[4\]\.deps\.cumulative: "cumulative" depends on itself, so it can only read earlier partitions: end_offset must be below 0, got 0$/,
    ],
    [
      "a mapping on an unpartitioned upstream",
      "  - { select: events_daily, partitions: daily }\n",
      "",
      /^almanac\.yml: assets\[2\]\.deps\.events_daily: "events_daily" is not partitioned/,
    ],
    [
      "a negative lookback",
      "lookback: 2 }",
      "lookback: -1 }",
      /^almanac\.yml: schedules\[0\]\.lookback must be 0 or more, got -1/,
    ],
    [
      "a sources: entry naming no source table",
      "name: raw.events, partitions: hourly",
      "name: raw.evnts, partitions: hourly",
      /^almanac\.yml: sources\[0\]\.name "raw\.evnts" is no table of any sources: block/,
    ],
    [
      "a microbatch model without event_time",
      "event_time='day_start', ",
      "",
      /^models\/batched_daily\.sql:1: microbatch model "batched_daily" needs event_time/,
      "models/batched_daily.sql",
    ],
    [
      "a microbatch model without begin",
      "begin='2024-03-01', ",
      "",
      /^models\/batched_daily\.sql:1: microbatch model "batched_daily" needs begin/,
      "models/batched_daily.sql",
    ],
    [
      "an unknown batch_size",
      "batch_size='day'",
      "batch_size='week'",
      /^models\/batched_daily\.sql:1: microbatch model "batched_daily" batch_size "week" is not one of hour, day, month, year/,
      "models/batched_daily.sql",
    ],
  ];
  for (const [name, from, to, message, edited = "almanac.yml"] of cases) {
    test(name, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "almanac-grains-"));
      try {
        await cp(projectDir, dir, { recursive: true });
        const file = path.join(dir, edited);
        const text = await readFile(file, "utf8");
        assert.ok(text.includes(from), `${edited} holds ${JSON.stringify(from)}`);
        await writeFile(file, text.replace(from, to));
        await assert.rejects(loadProject(dir), (error: Error & { code?: string; details?: { line?: number } }) => {
          assert.equal(
            error.code,
            edited === "almanac.yml" ? "ALMANAC_BAD_PROJECT_CONFIG" : "ALMANAC_BAD_MODEL_CONFIG",
          );
          assert.match(error.message, message);
          assert.equal(typeof error.details?.line, "number");
          return true;
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
