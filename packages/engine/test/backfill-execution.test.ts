import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  cancelBackfill,
  executeBackfill,
  executeRunInTurn,
  getBackfillProgress,
  requestBackfill,
  retryBackfill,
} from "@almanac/engine";
import { copyProject, editFile, examplesDir, symmetricDifference } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { generateOrders } from "../../../examples/shop_orders/scripts/load-orders.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

/** Statuses of one asset's partitions over a range, as `key status`. */
async function partitionStatuses(f: EngineFixture, asset: string, from: string, to: string): Promise<string[]> {
  const rows = await f.query<{ partition_key: string; status: string }>(
    `select partition_key, status from almanac.asset_partitions
      where asset_key = $1 and partition_key between $2 and $3 order by 1`,
    [asset, from, to],
  );
  return rows.map((r) => `${r.partition_key} ${r.status}`);
}

/** Runs and asset partitions of the store that are still queued or running. */
async function unfinished(f: EngineFixture): Promise<{ runs: number; partitions: number }> {
  const [row] = await f.query<{ runs: number; partitions: number }>(
    `select (select count(*)::int from almanac.runs where status in ('queued', 'running')) as runs,
            (select count(*)::int from almanac.asset_partitions where status in ('queued', 'running')) as partitions`,
  );
  return row ?? { runs: -1, partitions: -1 };
}

describe("a backfill across the Berlin DST switch (shop_orders)", () => {
  const projectDir = path.join(examplesDir, "shop_orders");
  const now = new Date("2024-06-01T00:00:00Z");
  let f: EngineFixture;

  before(async () => {
    f = await engineFixture(projectDir);
    await generateOrders({ databaseUrl: f.database.url, from: "2024-03-24", to: "2024-04-26", ordersPerDay: 30 });
  });
  after(() => f.close());

  test("31 days in weekly runs give the table the plain check query gives over the range", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+revenue_by_day", from: "2024-03-25", to: "2024-04-24", maxPartitionsPerRun: 7 },
      { now },
    );
    // stg_order_lines once, then 31 days in runs of 7 (the first ends on the 23-hour day).
    assert.deepEqual({ partitions: backfill.partitions, runs: backfill.runs }, { partitions: 31, runs: 6 });
    const done = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 63, failed: 0, canceled: 0, total: 63 });
    const check = (await readFile(path.join(projectDir, "analysis/revenue_by_day_check.sql"), "utf8"))
      .replace(/order by order_date\s*$/, "")
      .replace("'2024-04-08'", "'2024-04-25'");
    assert.match(check, /< '2024-04-25'/);
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.revenue_by_day", check), []);
    const [days] = await f.query<{ n: number }>(
      "select count(distinct order_date)::int as n from public.revenue_by_day",
    );
    assert.equal(days?.n, 31);
  });
});

describe("cancel, failures and retry (nyc_taxi)", () => {
  const now = new Date("2024-01-20T06:00:00Z");
  let f: EngineFixture;
  let projectDir: string;
  const dailyMetrics = () => path.join(projectDir, "models/marts/daily_metrics.sql");
  const breakDay = "count(*)::bigint / (case when min(pickup_at)::date = '2024-01-05' then 0 else 1 end) as trip_count";

  before(async () => {
    projectDir = await copyProject("nyc_taxi");
    f = await engineFixture(projectDir);
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-19", rowsPerDay: 20 });
  });
  after(() => f.close());

  test("cancel leaves nothing queued or running, and gives the partitions back", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-10", to: "2024-01-19" },
      { now },
    );
    let canceled: Awaited<ReturnType<typeof cancelBackfill>> | undefined;
    // Cancel while the second run (the first partition) is in its step: it finishes that step.
    const done = await executeBackfill(f.ctx, backfill.backfillId, {
      onStep: async (report) => {
        if (report.assetKey === "daily_metrics" && !canceled)
          canceled = await cancelBackfill(f.ctx, backfill.backfillId);
      },
    });
    assert.equal(canceled?.status, "running", "a run still finishing its step keeps the backfill running");
    assert.equal(done.status, "canceled");
    assert.deepEqual(await unfinished(f), { runs: 0, partitions: 0 });
    assert.deepEqual(done.runs, { queued: 0, running: 0, succeeded: 2, failed: 0, canceled: 9, total: 11 });
    assert.equal(done.counts.materialized, 2, "stg_trips and 2024-01-10");
    assert.equal(done.counts.canceled, 9);
    assert.deepEqual(await partitionStatuses(f, "daily_metrics", "2024-01-10", "2024-01-19"), [
      "2024-01-10 materialized",
    ]);
    // Canceling again, or a finished backfill, changes nothing.
    assert.equal((await cancelBackfill(f.ctx, backfill.backfillId)).status, "canceled");
    await assert.rejects(cancelBackfill(f.ctx, "00000000-0000-4000-8000-000000000000"), {
      code: "ALMANAC_UNKNOWN_BACKFILL",
    });
  });

  test("retry after a mended failure completes, as a new backfill over the failed partitions", async () => {
    await editFile(dailyMetrics(), "count(*)::bigint as trip_count", breakDay);
    await f.reload();
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-01", to: "2024-01-08" },
      { now },
    );
    const failed = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(failed.status, "completed_with_failures");
    assert.deepEqual(failed.counts, { queued: 0, running: 0, materialized: 7, failed: 1, canceled: 0, total: 8 });
    await assert.rejects(retryBackfill(f.ctx, "nope", { now }), { code: "ALMANAC_UNKNOWN_BACKFILL" });

    await editFile(dailyMetrics(), breakDay, "count(*)::bigint as trip_count");
    await f.reload();
    const retry = await retryBackfill(f.ctx, backfill.backfillId, { now });
    assert.deepEqual({ partitions: retry.partitions, runs: retry.runs }, { partitions: 1, runs: 1 });
    const done = await executeBackfill(f.ctx, retry.backfillId);
    assert.equal(done.status, "completed");
    assert.equal(done.parentId, backfill.backfillId);
    assert.deepEqual([done.from, done.to, done.only], ["2024-01-05", "2024-01-05", "failed"]);
    assert.equal((await getBackfillProgress(f.ctx, backfill.backfillId)).status, "completed_with_failures");
    const [rows] = await f.query<{ n: number }>(
      "select count(*)::int as n from public.daily_metrics where date between '2024-01-01' and '2024-01-08'",
    );
    assert.equal(rows?.n, 8);
    // Nothing failed is left to retry.
    await assert.rejects(retryBackfill(f.ctx, retry.backfillId, { now }), {
      code: "ALMANAC_BAD_REQUEST",
      message: /left no failed partition/,
    });
  });

  test("a retry of a backfill still running is refused", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-11", to: "2024-01-12" },
      { now },
    );
    await assert.rejects(retryBackfill(f.ctx, backfill.backfillId, { now }), {
      code: "ALMANAC_BAD_REQUEST",
      message: /still requested/,
    });
    await cancelBackfill(f.ctx, backfill.backfillId);
  });

  test("a failed upstream view skips every partition run after it, without running them", async () => {
    const view = path.join(projectDir, "models/staging/stg_trips.sql");
    await editFile(view, "from {{ source('raw', 'trips') }}", "from {{ source('raw', 'trips') }} where 1/0 = 1 and");
    await f.reload();
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-13", to: "2024-01-15" },
      { now },
    );
    const done = await executeBackfill(f.ctx, backfill.backfillId);
    await editFile(view, "from {{ source('raw', 'trips') }} where 1/0 = 1 and", "from {{ source('raw', 'trips') }}");
    await f.reload();
    assert.equal(done.status, "completed_with_failures");
    assert.deepEqual(done.runs, { queued: 0, running: 0, succeeded: 0, failed: 4, canceled: 0, total: 4 });
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 0, failed: 4, canceled: 0, total: 4 });
    const skipped = await f.query<{
      status: string;
      error_code: string;
      error_message: string;
      started_at: Date | null;
    }>(
      `select s.status, s.error_code, s.error_message, s.started_at from almanac.run_steps s
         join almanac.runs r on r.id = s.run_id where r.backfill_id = $1 and s.asset_key = 'daily_metrics'`,
      [backfill.backfillId],
    );
    assert.equal(skipped.length, 3);
    for (const step of skipped) {
      assert.equal(step.status, "skipped");
      assert.equal(step.error_code, "ALMANAC_UPSTREAM_FAILED");
      assert.match(step.error_message, /skipped because run .* \(stg_trips\) of this backfill failed before it/);
      assert.equal(step.started_at, null, "never started");
    }
    assert.deepEqual(await partitionStatuses(f, "daily_metrics", "2024-01-13", "2024-01-15"), [
      "2024-01-13 failed",
      "2024-01-14 failed",
      "2024-01-15 failed",
    ]);
  });

  test("a worker handed a run whose upstream wave is unfinished leaves it alone", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-16", to: "2024-01-17" },
      { now },
    );
    const [partitionRun] = await f.query<{ id: string }>(
      "select id from almanac.runs where backfill_id = $1 and partition_from = '2024-01-16'",
      [backfill.backfillId],
    );
    const early = await executeRunInTurn(f.ctx, String(partitionRun?.id));
    assert.deepEqual(early, { kind: "waiting", waitingOn: 1 });
    const [preamble] = backfill.ready;
    const first = await executeRunInTurn(f.ctx, String(preamble?.runId));
    assert.equal(first.kind, "finished");
    assert.equal(first.kind === "finished" && first.status, "succeeded");
    // The upstream run hands over the next wave: both partition runs.
    assert.equal(first.kind === "finished" && first.next.length, 2);
    const second = await executeRunInTurn(f.ctx, String(partitionRun?.id));
    assert.equal(second.kind === "finished" && second.status, "succeeded");
    assert.deepEqual(second.kind === "finished" && second.next, [], "the last partition run has nothing after it");
  });
});

describe("dependency order inside a backfill (shop_orders)", () => {
  const now = new Date("2024-06-01T00:00:00Z");
  let f: EngineFixture;

  before(async () => {
    const projectDir = await copyProject("shop_orders");
    // order_lines_daily fails for one Berlin day only.
    await editFile(
      path.join(projectDir, "models/marts/order_lines_daily.sql"),
      "  order_id,\n",
      "  order_id / (case when '{{ var(\"min_date\") }}' = '2024-03-27' then 0 else 1 end) as order_id,\n",
    );
    f = await engineFixture(projectDir);
    await generateOrders({ databaseUrl: f.database.url, from: "2024-03-25", to: "2024-03-28", ordersPerDay: 10 });
  });
  after(() => f.close());

  test("a downstream partition runs after its upstream partition, and is skipped when that failed", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+revenue_by_day", from: "2024-03-25", to: "2024-03-28", policy: "multi_run" },
      { now },
    );
    const done = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(done.status, "completed_with_failures");
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 7, failed: 2, canceled: 0, total: 9 });
    const steps = await f.query<{ step: string }>(
      `select s.asset_key || ' ' || s.partition_from || ' ' || s.status || coalesce(' ' || s.error_code, '') as step
         from almanac.run_steps s join almanac.runs r on r.id = s.run_id
        where r.backfill_id = $1 and s.partition_from is not null order by s.partition_from, s.idx`,
      [backfill.backfillId],
    );
    assert.deepEqual(
      steps.map((s) => s.step),
      [
        "order_lines_daily 2024-03-25 succeeded",
        "revenue_by_day 2024-03-25 succeeded",
        "order_lines_daily 2024-03-26 succeeded",
        "revenue_by_day 2024-03-26 succeeded",
        "order_lines_daily 2024-03-27 failed ALMANAC_MODEL_SQL_ERROR",
        "revenue_by_day 2024-03-27 skipped ALMANAC_UPSTREAM_FAILED",
        "order_lines_daily 2024-03-28 succeeded",
        "revenue_by_day 2024-03-28 succeeded",
      ],
    );
    assert.deepEqual(await partitionStatuses(f, "revenue_by_day", "2024-03-25", "2024-03-28"), [
      "2024-03-25 materialized",
      "2024-03-26 materialized",
      "2024-03-27 failed",
      "2024-03-28 materialized",
    ]);
    const [stale] = await f.query<{ n: number }>(
      "select count(*)::int as n from public.revenue_by_day where order_date = '2024-03-27'",
    );
    assert.equal(stale?.n, 0, "not run on missing input");
  });
});
