import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, examplesDir, freePort, repoRoot, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";

const bin = path.join(repoRoot, "apps/cli/bin/almanac.js");
const token = "backfill-e2e-token";

/** Backfills through `almanac serve` + `almanac worker` processes, and through the CLI. */
describe("backfills end to end", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let base: string;
  let env: NodeJS.ProcessEnv;
  const processes: ChildProcess[] = [];

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        authorization: `Bearer ${token}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Runs the CLI to completion; resolves with its exit code and output. */
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // Dropping the database (with force) can reach a socket still closing after end().
    pool.on("error", () => undefined);
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-12", rowsPerDay: 50 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      REDIS_URL: process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      ALMANAC_QUEUE_PREFIX: `almanac_e2e_${randomBytes(5).toString("hex")}`,
      ALMANAC_PROJECT_DIR: path.join(examplesDir, "nyc_taxi"),
      ALMANAC_API_TOKEN: token,
      ALMANAC_WORKER_CONCURRENCY: "2",
      PORT: String(port),
    };
    for (const command of ["serve", "worker"]) {
      processes.push(spawn(process.execPath, [bin, command], { env, stdio: "ignore" }));
    }
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error("the server did not come up");
  });

  after(async () => {
    for (const child of processes) child.kill("SIGTERM");
    await Promise.all(processes.map((child) => new Promise((resolve) => child.once("exit", resolve))));
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
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) {
      progress = (await api("GET", `/api/backfills/${body.backfillId}`)).body;
      if (["completed", "completed_with_failures", "canceled"].includes(String(progress.status))) break;
      await sleep(100);
    }
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
