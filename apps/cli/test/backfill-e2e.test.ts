import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, examplesDir, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";

const token = "backfill-e2e-token";

/** Backfills through `almanac serve` + `almanac worker` processes, and through the CLI. */
describe("backfills end to end", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let base: string;
  let env: Record<string, string | undefined>;
  let services: RunningServices | undefined;

  let client: ApiClient;
  const api: ApiClient["call"] = (...args) => client.call(...args);

  /** Runs the CLI to completion against the same services; resolves with its exit code and output. */
  const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
    runAlmanac({ ...env, ...extraEnv }, ...args);

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // Dropping the database (with force) can reach a socket still closing after end().
    pool.on("error", () => undefined);
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-12", rowsPerDay: 50 });
    services = await startServices({
      databaseUrl: db.url,
      projectDir: path.join(examplesDir, "nyc_taxi"),
      apiToken: token,
    });
    base = services.base;
    env = services.env;
    client = apiClient(base, token);
  });

  after(async () => {
    await services?.stop();
    await pool.end();
    await db.drop();
  });

  test("POST /api/backfills over 10 days completes through the worker, wave after wave", async () => {
    const { status, body } = await api("POST", "/api/backfills", {
      select: "+daily_zone_metrics+",
      from: "2024-01-01",
      to: "2024-01-10",
    });
    assert.equal(status, 202);
    assert.deepEqual({ partitions: body.partitions, runs: body.runs }, { partitions: 10, runs: 12 });
    const progress = await client.waitForBackfill(String(body.backfillId));
    assert.equal(progress.status, "completed");
    // stg_trips and stg_zones once, 10 days of daily_zone_metrics, zone_summary once.
    assert.deepEqual(progress.counts, { queued: 0, running: 0, materialized: 13, failed: 0, canceled: 0, total: 13 });
    assert.deepEqual(progress.runs, { queued: 0, running: 0, succeeded: 12, failed: 0, canceled: 0, total: 12 });
    const [totals] = (
      await pool.query<{ summary: string; raw: string }>(
        `select (select sum(trip_count)::text from public.zone_summary) as summary,
                (select count(*)::text from raw.trips
                  where tpep_pickup_datetime >= '2024-01-01' and tpep_pickup_datetime < '2024-01-11') as raw`,
      )
    ).rows;
    assert.equal(totals?.summary, totals?.raw, "zone_summary ran after every partition");
    const { body: list } = await api("GET", "/api/backfills");
    assert.equal((list.backfills as { id: string }[])[0]?.id, body.backfillId);
  });

  test("almanac backfill --remote follows the backfill and exits 0 when it completes", async () => {
    const result = await cli([
      "backfill",
      "daily_metrics",
      "--from",
      "2024-01-03",
      "--to",
      "2024-01-07",
      "--remote",
      base,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /backfill [0-9a-f-]{36}: 5 partitions in 5 runs on http/);
    assert.match(result.stderr, /backfill [0-9a-f-]{36} completed: 5\/5 done — 5 materialized, 0 failed/);
    assert.match(result.stdout, /completed: 5\/5 asset partitions materialized, 0 failed, 5 runs in/);
    const { rows } = await pool.query(
      "select count(*)::int as n from public.daily_metrics where date between '2024-01-03' and '2024-01-07'",
    );
    assert.equal(rows[0].n, 5);
  });

  test("almanac backfill --remote without the token is refused with exit 2", async () => {
    const result = await cli(
      ["backfill", "daily_metrics", "--from", "2024-01-03", "--to", "2024-01-07", "--remote", base],
      { ALMANAC_API_TOKEN: "" },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ALMANAC_UNAUTHORIZED/);
  });

  test("almanac backfill in process: single_run, only missing, exit 0; bad input exits 2", async () => {
    const result = await cli([
      "backfill",
      "+daily_metrics",
      "--from",
      "2024-01-01",
      "--to",
      "2024-01-12",
      "--only",
      "missing",
      "--policy",
      "single_run",
    ]);
    assert.equal(result.code, 0, result.stderr);
    // 01-03..01-07 are done: two stretches, one run each, after the stg_trips run.
    assert.match(result.stderr, /: 7 partitions in 3 runs, in this process/);
    assert.match(result.stdout, /completed: 8\/8 asset partitions materialized/);
    const counts = (
      await pool.query<{ n: number }>(
        "select count(*)::int as n from public.daily_metrics where date between '2024-01-01' and '2024-01-12'",
      )
    ).rows[0];
    assert.equal(counts?.n, 12);

    const bad = await cli(["backfill", "daily_metrics", "--from", "2024-01-05", "--to", "2024-01-01"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ALMANAC_BAD_PARTITION_RANGE/);
  });
});
