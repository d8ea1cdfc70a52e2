import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { executeBackfill, getBackfillProgress, materializeSelection, requestBackfill } from "@almanac/engine";
import { listAssetPartitions, readyBackfillRuns, storeDb } from "@almanac/store";
import { examplesDir } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-02-01T06:00:00Z");

interface RunRow {
  id: string;
  status: string;
  partition_from: string | null;
  partition_to: string | null;
  asset_keys: string[];
  steps: string[];
}

describe("requesting a backfill", () => {
  let f: EngineFixture;

  /** The backfill's runs in plan order, each with its steps as `asset from..to`. */
  const runsOf = (backfillId: string) =>
    f.query<RunRow>(
      `select r.id, r.status, r.partition_from, r.partition_to, r.asset_keys,
              array_agg(s.asset_key || ' ' || coalesce(s.partition_from, '') || '..' || coalesce(s.partition_to, '')
                        order by s.idx) as steps
         from almanac.runs r join almanac.run_steps s on s.run_id = r.id
        where r.backfill_id = $1
        group by r.id order by r.created_at, r.partition_from nulls first`,
      [backfillId],
    );
  const counts = async () =>
    (
      await f.query<{ backfills: number; runs: number; partitions: number }>(
        `select (select count(*)::int from almanac.backfills) as backfills,
                (select count(*)::int from almanac.runs) as runs,
                (select count(*)::int from almanac.asset_partitions) as partitions`,
      )
    )[0];

  before(async () => {
    f = await engineFixture(path.join(examplesDir, "nyc_taxi"));
    await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-31", rowsPerDay: 20 });
  });
  after(() => f.close());

  test("bad input is refused with a code before anything is recorded", async () => {
    const before = await counts();
    const cases: [Parameters<typeof requestBackfill>[1], string, number?][] = [
      [{ select: "daily_metrics", from: "2024-01-01", to: "2024-01-22" }, "ALMANAC_BAD_PARTITION_RANGE", 10],
      [{ select: "daily_metrics", from: "2024-01-05", to: "2024-01-01" }, "ALMANAC_BAD_PARTITION_RANGE"],
      [{ select: "daily_metrics", from: "2023-12-31", to: "2024-01-01" }, "ALMANAC_PARTITION_OUT_OF_RANGE"],
      [{ select: "daily_metrics", from: "2024-01-01", to: "2024-02-05" }, "ALMANAC_PARTITION_OUT_OF_RANGE"],
      [{ select: "daily_metrics", from: "2024-1-1", to: "2024-01-05" }, "ALMANAC_BAD_PARTITION_KEY"],
      [{ select: "nope", from: "2024-01-01", to: "2024-01-05" }, "ALMANAC_UNKNOWN_ASSET"],
      [{ select: "stg_trips", from: "2024-01-01", to: "2024-01-05" }, "ALMANAC_NOT_PARTITIONED"],
      [
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-05", policy: "weekly" as "single_run" },
        "ALMANAC_BAD_REQUEST",
      ],
      [
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-05", policy: "single_run", maxPartitionsPerRun: 2 },
        "ALMANAC_BAD_REQUEST",
      ],
      [
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-05", maxPartitionsPerRun: 0 },
        "ALMANAC_BAD_REQUEST",
      ],
      [
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-05", only: "stale" as "missing" },
        "ALMANAC_BAD_REQUEST",
      ],
    ];
    for (const [request, code, maxPartitions] of cases) {
      await assert.rejects(requestBackfill(f.ctx, request, { now, maxPartitions }), { code }, JSON.stringify(request));
    }
    await assert.rejects(
      requestBackfill(
        f.ctx,
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-22" },
        { now, maxPartitions: 10 },
      ),
      /holds 22 partitions, more than the 10 one backfill may cover/,
    );
    assert.deepEqual(await counts(), before);
  });

  test("multi_run from almanac.yml: upstream views in a first run of their own, then one run per day", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_zone_metrics+", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    assert.deepEqual({ partitions: backfill.partitions, runs: backfill.runs }, { partitions: 3, runs: 5 });
    const runs = await runsOf(backfill.backfillId);
    assert.deepEqual(
      runs.map((r) => r.steps),
      [
        ["stg_trips ..", "stg_zones .."],
        ["daily_zone_metrics 2024-01-01..2024-01-01"],
        ["daily_zone_metrics 2024-01-02..2024-01-02"],
        ["daily_zone_metrics 2024-01-03..2024-01-03"],
        ["zone_summary .."],
      ],
    );
    // Only the first wave may start; the rest waits for it.
    assert.deepEqual(
      backfill.ready.map((r) => r.runId),
      [runs[0]?.id],
    );
    const progress = await getBackfillProgress(f.ctx, backfill.backfillId);
    assert.equal(progress.status, "requested");
    assert.deepEqual(progress.counts, { queued: 6, running: 0, materialized: 0, failed: 0, canceled: 0, total: 6 });

    const done = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.runs, { queued: 0, running: 0, succeeded: 5, failed: 0, canceled: 0, total: 5 });
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 6, failed: 0, canceled: 0, total: 6 });
    assert.ok(done.finishedAt && done.startedAt);
    const [summary] = await f.query<{ days: string }>("select sum(days)::text as days from public.zone_summary");
    assert.ok(Number(summary?.days) >= 3, "zone_summary was built after every partition run");
    assert.deepEqual(await readyBackfillRuns(storeDb(f.pool), backfill.backfillId), []);
  });

  test("only missing over a half-done range plans exactly the missing partitions", async () => {
    const done = await materializeSelection(
      f.ctx,
      { select: "+daily_metrics", from: "2024-01-05", to: "2024-01-07" },
      { now },
    );
    assert.equal(done.status, "succeeded");
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-05", to: "2024-01-10", only: "missing" },
      { now },
    );
    assert.deepEqual({ partitions: backfill.partitions, runs: backfill.runs }, { partitions: 3, runs: 3 });
    const runs = await runsOf(backfill.backfillId);
    assert.deepEqual(
      runs.map((r) => `${r.partition_from}..${r.partition_to}`),
      ["2024-01-08..2024-01-08", "2024-01-09..2024-01-09", "2024-01-10..2024-01-10"],
    );
    const statuses = await listAssetPartitions(storeDb(f.pool), {
      assetKey: "daily_metrics",
      from: "2024-01-05",
      to: "2024-01-10",
    });
    assert.deepEqual(
      statuses.map((p) => `${p.partitionKey} ${p.status}`),
      [
        "2024-01-05 materialized",
        "2024-01-06 materialized",
        "2024-01-07 materialized",
        "2024-01-08 queued",
        "2024-01-09 queued",
        "2024-01-10 queued",
      ],
    );
    assert.equal((await executeBackfill(f.ctx, backfill.backfillId)).status, "completed");

    // Nothing missing any more: a backfill with nothing to do is recorded as completed.
    const nothing = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-05", to: "2024-01-10", only: "missing_or_failed" },
      { now },
    );
    assert.deepEqual(
      { partitions: nothing.partitions, runs: nothing.runs, ready: nothing.ready },
      { partitions: 0, runs: 0, ready: [] },
    );
    assert.equal((await getBackfillProgress(f.ctx, nothing.backfillId)).status, "completed");
  });

  test("a key is selected when any selected partitioned model is missing it", async () => {
    const zones = { select: "daily_zone_metrics", from: "2024-01-05", to: "2024-01-07" };
    assert.equal((await materializeSelection(f.ctx, zones, { now })).status, "succeeded");
    // daily_metrics holds 01-05..01-10; daily_zone_metrics 01-01..01-03 and 01-05..01-07:
    // 01-01..01-04 and 01-08..01-10 miss one of them or both.
    const backfill = await requestBackfill(
      f.ctx,
      {
        select: "daily_metrics daily_zone_metrics",
        from: "2024-01-01",
        to: "2024-01-10",
        only: "missing",
        policy: "single_run",
      },
      { now },
    );
    const runs = await runsOf(backfill.backfillId);
    // Gaps split a single_run: 01-01..01-03 are complete for both models.
    assert.deepEqual(
      runs.map((r) => r.steps),
      [
        ["daily_metrics 2024-01-01..2024-01-04", "daily_zone_metrics 2024-01-01..2024-01-04"],
        ["daily_metrics 2024-01-08..2024-01-10", "daily_zone_metrics 2024-01-08..2024-01-10"],
      ],
    );
    assert.equal(backfill.partitions, 7);
  });

  test("single_run: one run whose window spans the range", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-11", to: "2024-01-22", policy: "single_run" },
      { now },
    );
    assert.deepEqual({ partitions: backfill.partitions, runs: backfill.runs }, { partitions: 12, runs: 1 });
    const [run] = await runsOf(backfill.backfillId);
    assert.deepEqual(run?.steps, ["daily_metrics 2024-01-11..2024-01-22"]);
    const done = await executeBackfill(f.ctx, backfill.backfillId);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 12, failed: 0, canceled: 0, total: 12 });
    // min_date = 2024-01-11 (start of the first window), max_date = 2024-01-23 (end of the last):
    // trips exist on every day around the range, and exactly the range's days were written.
    const [days] = await f.query<{ first: string; last: string; n: number }>(
      `select min(date)::text as first, max(date)::text as last, count(*)::int as n
         from public.daily_metrics where date between '2024-01-11' and '2024-01-31'`,
    );
    assert.deepEqual(days, { first: "2024-01-11", last: "2024-01-22", n: 12 });
    const partitions = await listAssetPartitions(storeDb(f.pool), {
      assetKey: "daily_metrics",
      from: "2024-01-11",
      to: "2024-01-22",
    });
    assert.equal(partitions.filter((p) => p.status === "materialized").length, 12, "status per partition");
  });

  test("multi_run with N per run: contiguous chunks of at most N keys", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics", from: "2024-01-23", to: "2024-01-30", maxPartitionsPerRun: 3 },
      { now },
    );
    const runs = await runsOf(backfill.backfillId);
    assert.deepEqual(
      runs.map((r) => `${r.partition_from}..${r.partition_to}`),
      ["2024-01-23..2024-01-25", "2024-01-26..2024-01-28", "2024-01-29..2024-01-30"],
    );
    const [row] = await f.query<{ policy: string; max_partitions_per_run: number; run_count: number }>(
      "select policy, max_partitions_per_run, run_count from almanac.backfills where id = $1",
      [backfill.backfillId],
    );
    assert.deepEqual(row, { policy: "multi_run", max_partitions_per_run: 3, run_count: 3 });
  });

  // Its speed is measured by B5 in bench/ (npm run bench), not asserted here.
  test("3,650 partitions of two assets are recorded as 3,650 runs with every partition queued", async () => {
    const farFuture = new Date("2034-01-01T00:00:00Z");
    const backfill = await requestBackfill(
      f.ctx,
      { select: "daily_metrics daily_zone_metrics", from: "2024-01-01", to: "2033-12-28" },
      { now: farFuture },
    );
    assert.deepEqual({ partitions: backfill.partitions, runs: backfill.runs }, { partitions: 3650, runs: 3650 });
    assert.equal(backfill.ready.length, 3650, "no upstream run: every partition run may start");
    const [queued] = await f.query<{ n: number }>(
      "select count(*)::int as n from almanac.asset_partitions p join almanac.runs r on r.id = p.run_id where r.backfill_id = $1",
      [backfill.backfillId],
    );
    assert.equal(queued?.n, 7300);
  });
});
