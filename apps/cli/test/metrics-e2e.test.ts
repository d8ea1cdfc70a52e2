import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  copyProject,
  createTestDatabase,
  editFile,
  freePort,
  type PrometheusText,
  parsePrometheusText,
  type TestDatabase,
} from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { apiClient, type RunningServices, startServices } from "./cli-fixture.js";

const token = "metrics-e2e-token";

/** Requests that must succeed, with the token, through the end-to-end tests' one REST client. */
const api = (base: string, method: string, url: string, body?: unknown) => apiClient(base, token).ok(method, url, body);
const waitForBackfill = (base: string, id: string) => apiClient(base, token).waitForBackfill(id);

async function scrape(url: string): Promise<PrometheusText> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.match(String(res.headers.get("content-type")), /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

/** No label value may be a partition key: their number grows without bound. */
function assertNoPartitionKeys(metrics: PrometheusText): void {
  for (const sample of metrics.samples) {
    for (const value of Object.values(sample.labels)) {
      assert.doesNotMatch(value, /\d{4}-\d{2}-\d{2}/, `${sample.name} has a partition key label`);
    }
  }
}

/** `almanac serve` + `almanac worker` (ALMANAC_METRICS_PORT) as production runs them. */
describe("Prometheus metrics of serve and worker", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let services: RunningServices | undefined;
  let workerMetricsUrl: string;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-04", rowsPerDay: 100 });
    // Slow enough per day that a scrape sees the backfill unfinished.
    const projectDir = await copyProject("nyc_taxi");
    await editFile(
      path.join(projectDir, "models/marts/daily_metrics.sql"),
      `and pickup_at < '{{ var("max_date") }}'`,
      `and pickup_at < '{{ var("max_date") }}'\n    and (select true from pg_sleep(0.4))`,
    );
    const metricsPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    services = await startServices({
      databaseUrl: db.url,
      projectDir,
      apiToken: token,
      // No catch-up ticks at start: the only runs are the test's.
      env: {
        ALMANAC_METRICS_PORT: String(metricsPort),
        ALMANAC_WORKER_CONCURRENCY: "1",
        ALMANAC_SCHEDULE_CATCHUP_DAYS: "0",
      },
    });
  });

  after(async () => {
    await services?.stop();
    await pool.end();
    await db.drop();
  });

  test("both expose process and Node.js metrics as valid Prometheus text", async () => {
    const base = services?.base ?? "";
    for (const url of [`${base}/metrics`, workerMetricsUrl]) {
      const metrics = await scrape(url);
      assert.ok(metrics.sum("process_cpu_user_seconds_total") > 0, url);
      assert.ok(metrics.sum("nodejs_heap_size_used_bytes") > 0, url);
      assert.equal(metrics.types.get("process_resident_memory_bytes"), "gauge");
    }
    const other = await fetch(workerMetricsUrl.replace("/metrics", "/api/health"));
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as { error: { code: string } }).error.code, "ALMANAC_NOT_FOUND");
  });

  test("a backfill moves the worker's counters and the server's gauges, matching the store", async () => {
    const base = services?.base ?? "";
    const workerBefore = await scrape(workerMetricsUrl);
    const succeededBefore = workerBefore.sum("almanac_runs_finished_total", { status: "succeeded" });

    const accepted = await api(base, "POST", "/api/backfills", {
      select: "+daily_metrics",
      from: "2024-01-01",
      to: "2024-01-04",
    });
    const backfillId = String(accepted.backfillId);

    // While it runs, the server shows its progress: every asset partition of it, by status.
    const during = await scrape(`${base}/metrics`);
    const progress = await api(base, "GET", `/api/backfills/${backfillId}`);
    const total = (progress.counts as { total: number }).total;
    assert.ok(total >= 4, JSON.stringify(progress));
    assert.equal(during.sum("almanac_backfill_partitions", { backfill_id: backfillId }), total);
    assert.equal(during.types.get("almanac_backfill_partitions"), "gauge");

    await waitForBackfill(base, backfillId);
    const { rows: runs } = await pool.query<{ n: number }>(
      "select count(*)::int as n from almanac.runs where backfill_id = $1 and status = 'succeeded'",
      [backfillId],
    );
    // The worker counts a run once its job returns, a moment after the store recorded it.
    let worker = await scrape(workerMetricsUrl);
    for (let i = 0; i < 50; i++) {
      if (worker.sum("almanac_runs_finished_total", { status: "succeeded" }) - succeededBefore === runs[0]?.n) break;
      await sleep(100);
      worker = await scrape(workerMetricsUrl);
    }
    const server = await scrape(`${base}/metrics`);
    assert.equal(worker.sum("almanac_runs_finished_total", { status: "succeeded" }) - succeededBefore, runs[0]?.n);
    assert.ok((runs[0]?.n ?? 0) >= 4);

    // Steps and rows as the store recorded them, per asset.
    const { rows: steps } = await pool.query<{ asset_key: string; status: string; n: number; rows: number }>(
      `select asset_key, status, count(*)::int as n, coalesce(sum(rows_written), 0)::int as rows
         from almanac.run_steps group by asset_key, status`,
    );
    const daily = steps.find((s) => s.asset_key === "daily_metrics" && s.status === "succeeded");
    assert.equal(daily?.n, 4);
    for (const step of steps) {
      const labels = { asset: step.asset_key, status: step.status };
      assert.equal(worker.sum("almanac_steps_finished_total", labels), step.n, JSON.stringify(labels));
    }
    const rowsWritten = steps.filter((s) => s.asset_key === "daily_metrics").reduce((n, s) => n + s.rows, 0);
    assert.ok(rowsWritten > 0);
    assert.equal(worker.sum("almanac_rows_written_total", { asset: "daily_metrics" }), rowsWritten);

    // The histogram: one observation per step, each at least the 0.4 s of pg_sleep.
    assert.equal(worker.types.get("almanac_step_duration_seconds"), "histogram");
    assert.equal(worker.sum("almanac_step_duration_seconds_count", { asset: "daily_metrics" }), 4);
    assert.ok(worker.sum("almanac_step_duration_seconds_sum", { asset: "daily_metrics" }) >= 1.6);
    assert.equal(worker.sum("almanac_step_duration_seconds_bucket", { asset: "daily_metrics", le: "0.25" }), 0);
    assert.equal(worker.sum("almanac_step_duration_seconds_bucket", { asset: "daily_metrics", le: "+Inf" }), 4);

    // The server's gauges, read from the store and the queue at scrape time.
    assert.equal(server.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "materialized" }), 4);
    assert.equal(server.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "failed" }), 0);
    assert.equal(server.sum("almanac_backfill_partitions", { backfill_id: backfillId }), 0, "finished: no series");
    assert.ok(server.sum("almanac_queue_jobs", { state: "completed" }) >= (runs[0]?.n ?? 0));
    assert.equal(server.sum("almanac_queue_jobs", { state: "active" }), 0);
    assert.equal(server.sum("almanac_metrics_collect_errors_total"), 0);

    assertNoPartitionKeys(worker);
    assertNoPartitionKeys(server);
  });

  test("a schedule tick shows its lag: when it fired, minus the instant it was for", async () => {
    const base = services?.base ?? "";
    await api(base, "POST", "/api/schedules/nightly/tick", { at: "2024-01-10T03:00:00Z" });
    const server = await scrape(`${base}/metrics`);
    const lags = server.samples.filter((s) => s.name === "almanac_schedule_tick_lag_seconds");
    assert.deepEqual(
      lags.map((s) => s.labels),
      [{ schedule: "nightly" }],
    );
    // The lag of the latest tick by scheduled instant, as the API shows it.
    const { schedules } = (await api(base, "GET", "/api/schedules?ticks=1")) as {
      schedules: { name: string; lastTicks: { tickTime: string; createdAt: string }[] }[];
    };
    const latest = schedules.find((s) => s.name === "nightly")?.lastTicks[0];
    assert.ok(latest);
    const expected = (Date.parse(latest.createdAt) - Date.parse(latest.tickTime)) / 1000;
    assert.ok(expected >= 0);
    assert.equal(lags[0]?.value, expected);
  });
});

/** `almanac dev`: the worker's counters and the server's gauges on its one port. */
describe("Prometheus metrics of almanac dev", () => {
  let db: TestDatabase;
  let services: RunningServices | undefined;

  before(async () => {
    db = await createTestDatabase();
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-02", rowsPerDay: 50 });
    services = await startServices({
      databaseUrl: db.url,
      projectDir: await copyProject("nyc_taxi"),
      apiToken: token,
      commands: ["dev"],
      // No catch-up ticks at start: the only runs are the test's.
      env: { ALMANAC_SCHEDULE_CATCHUP_DAYS: "0" },
    });
  });
  after(async () => {
    await services?.stop();
    await db.drop();
  });

  test("one /metrics has the runs it executed and the partitions they materialized", async () => {
    const base = services?.base ?? "";
    const accepted = await api(base, "POST", "/api/backfills", {
      select: "+daily_metrics",
      from: "2024-01-01",
      to: "2024-01-02",
    });
    await waitForBackfill(base, String(accepted.backfillId));
    const metrics = await scrape(`${base}/metrics`);
    assert.ok(metrics.sum("almanac_runs_finished_total", { status: "succeeded" }) >= 2);
    assert.equal(metrics.sum("almanac_steps_finished_total", { asset: "daily_metrics", status: "succeeded" }), 2);
    assert.equal(metrics.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "materialized" }), 2);
    assert.ok(metrics.sum("process_cpu_user_seconds_total") > 0);
  });
});
