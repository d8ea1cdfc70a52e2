import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { copyProject, createTestDatabase, editFile, symmetricDifference, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type ApiClient, apiClient, type RunningServices, startServices } from "./cli-fixture.js";

const token = "e2e-secret-token";

/** `almanac serve` and `almanac worker` as separate processes, as production runs them. */
describe("almanac serve + almanac worker", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let base: string;
  let services: RunningServices | undefined;

  let client: ApiClient;
  const api: ApiClient["call"] = (...args) => client.call(...args);
  const waitForRun = (runId: string) => client.waitForRun(runId);

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // Dropping the database (with force) can reach a socket still closing after end().
    pool.on("error", () => undefined);
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-08", rowsPerDay: 200 });
    // A copy whose daily_metrics is slow enough to be seen running, and fails on one day only.
    const projectDir = await copyProject("nyc_taxi");
    const model = path.join(projectDir, "models/marts/daily_metrics.sql");
    await editFile(
      model,
      `and pickup_at < '{{ var("max_date") }}'`,
      `and pickup_at < '{{ var("max_date") }}'\n    and (select true from pg_sleep(0.3))`,
    );
    await editFile(
      model,
      "count(*)::bigint as trip_count",
      "count(*)::bigint / (case when min(pickup_at)::date = '2024-01-05' then 0 else 1 end) as trip_count",
    );
    services = await startServices({ databaseUrl: db.url, projectDir: projectDir, apiToken: token });
    base = services.base;
    client = apiClient(base, token);
  });

  after(async () => {
    await services?.stop();
    await pool.end();
    await db.drop();
  });

  test("a run requested over REST materializes the right rows, and a client sees queued → running → materialized", async () => {
    const { status, body } = await api("POST", "/api/runs", {
      select: "+daily_metrics",
      from: "2024-01-01",
      to: "2024-01-02",
    });
    assert.equal(status, 202);
    const seen = new Set<string>();
    const runId = String(body.runId);
    for (let i = 0; i < 200 && !seen.has("materialized"); i++) {
      const { body: page } = await api("GET", "/api/assets/daily_metrics/partitions?from=2024-01-02&to=2024-01-02");
      seen.add((page.partitions as { status: string }[])[0]?.status ?? "none");
      await sleep(25);
    }
    assert.deepEqual(
      [...seen].filter((s) => s !== "none"),
      ["queued", "running", "materialized"],
    );
    assert.equal((await waitForRun(runId)).status, "succeeded");
    const expected = `select tpep_pickup_datetime::date as date, count(*)::bigint as trip_count from raw.trips
      where tpep_pickup_datetime >= '2024-01-01' and tpep_pickup_datetime < '2024-01-03' group by 1`;
    assert.deepEqual(
      await symmetricDifference(pool, "select date, trip_count from public.daily_metrics", expected),
      [],
    );
  });

  test("six concurrent requests for one partition give one run and one writer", async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api("POST", "/api/runs", { select: "daily_metrics", partition: "2024-01-03" })),
    );
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]));
    const runIds = new Set(responses.map((r) => r.body.runId));
    assert.equal(runIds.size, 1);
    await waitForRun(String([...runIds][0]));
    const rows = await pool.query("select count(*)::int as n from public.daily_metrics where date = '2024-01-03'");
    assert.equal(rows.rows[0].n, 1);
  });

  test("a failing partition is failed with the Postgres error in its events; the others succeed", async () => {
    const { body } = await api("POST", "/api/runs", { select: "daily_metrics", from: "2024-01-04", to: "2024-01-06" });
    const run = await waitForRun(String(body.runId));
    assert.equal(run.status, "failed");
    const steps = run.steps as { partitionFrom: string; status: string }[];
    assert.deepEqual(
      steps.map((s) => `${s.partitionFrom} ${s.status}`),
      ["2024-01-04 succeeded", "2024-01-05 failed", "2024-01-06 succeeded"],
    );
    const { body: events } = await api("GET", `/api/runs/${body.runId}/events`);
    const messages = (events.events as { message: string }[]).map((e) => e.message);
    assert.ok(messages.includes("daily_metrics [2024-01-04]: started"));
    assert.ok(messages.some((m) => /^daily_metrics \[2024-01-04\]: 1 rows written, 0 removed \(\d+ ms\)$/.test(m)));
    const error = (events.events as { level: string; message: string; data: { sql?: string } }[]).find(
      (e) => e.level === "error",
    );
    assert.match(error?.message ?? "", /daily_metrics \[2024-01-05\]: division by zero \(SQLSTATE 22012\)/);
    assert.match(error?.data.sql ?? "", /insert into|select/i, "the rendered SQL is kept with the error");
    const { body: partitions } = await api("GET", "/api/assets/daily_metrics/partitions?from=2024-01-04&to=2024-01-06");
    assert.deepEqual(
      (partitions.partitions as { key: string; status: string }[]).map((p) => `${p.key} ${p.status}`),
      ["2024-01-04 materialized", "2024-01-05 failed", "2024-01-06 materialized"],
    );
  });

  test("changes need the token; reads do not", async () => {
    const denied = await api("POST", "/api/runs", { select: "daily_metrics", partition: "2024-01-07" }, false);
    assert.equal(denied.status, 401);
    assert.equal(denied.body.error?.code, "ALMANAC_UNAUTHORIZED");
    assert.equal((await api("GET", "/api/assets", undefined, false)).status, 200);
  });

  test("bad input gets a 4xx with a code and writes nothing", async () => {
    const before = await pool.query("select count(*)::int as n from almanac.runs");
    const cases: [unknown, number, string][] = [
      [{ select: "nope", partition: "2024-01-01" }, 404, "ALMANAC_UNKNOWN_ASSET"],
      [{ select: "daily_metrics", partition: "2024-1-5" }, 400, "ALMANAC_BAD_PARTITION_KEY"],
      [{ select: "daily_metrics", partition: "2023-12-31" }, 400, "ALMANAC_PARTITION_OUT_OF_RANGE"],
      [{ select: "daily_metrics", from: "2024-01-05", to: "2024-01-01" }, 400, "ALMANAC_BAD_PARTITION_RANGE"],
      [{ select: 7 }, 400, "ALMANAC_BAD_REQUEST"],
    ];
    for (const [body, status, code] of cases) {
      const res = await api("POST", "/api/runs", body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error?.code, code);
    }
    assert.deepEqual((await pool.query("select count(*)::int as n from almanac.runs")).rows, before.rows);
  });
});
