/**
 * Saves a PNG of each web page into docs/screenshots/, from a real server and worker:
 *
 *   node --conditions=source --import tsx scripts/screenshots.ts
 *
 * Two stores: the nyc_taxi example with generated trips, materialized by real runs (runs,
 * backfills, schedules, the login form, Bull Board), and the benchmark's large store, 100
 * daily assets × 3,650 partitions (the assets page and a 10-year partition grid). Needs the
 * test services (Postgres on 127.0.0.1:5432, Redis on 127.0.0.1:6379) and Chromium at
 * /usr/bin/chromium (or ALMANAC_TEST_CHROMIUM); everything it creates is removed at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue } from "@almanac/queue";
import { type RunningServer, startServer } from "@almanac/server";
import { createTestDatabase, examplesDir, launchChromium, repoRoot, type TestDatabase } from "@almanac/testing";
import { startWorker } from "@almanac/worker";
import pg from "pg";
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { createLargeStore, largeStoreAssetKey } from "../bench/fixtures/large-store.js";
import { generateTrips } from "../examples/nyc_taxi/scripts/load-trips.js";

const outDir = path.join(repoRoot, "docs/screenshots");
const redisUrl = process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const token = "screenshot-token";
const cleanups: (() => Promise<unknown>)[] = [];

async function serve(database: TestDatabase, projectDir: string, now: Date, worker: boolean) {
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  const target = { name: "dev", schema: "public", type: "postgres" } as const;
  const ctx: EngineContext = {
    project: await loadProject(projectDir),
    target,
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  };
  const settings = { redisUrl, prefix: `almanac_shots_${randomBytes(5).toString("hex")}` };
  const queue = createRunQueue(settings);
  const running = worker
    ? await startWorker({ ctx, queue: settings, concurrency: 2, logger: pino({ enabled: false }) })
    : undefined;
  const server: RunningServer = await startServer({
    ctx,
    runQueue: queue,
    apiToken: token,
    logger: false,
    now: () => now,
    host: "127.0.0.1",
    port: 0,
  });
  cleanups.push(async () => {
    await server.close();
    await running?.close(5_000);
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await pool.end();
    await database.drop();
  });
  return { url: server.url, pool };
}

async function api(base: string, method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: options.fullPage ?? true });
  console.log(`docs/screenshots/${name}.png`);
}

let browser: Browser | undefined;
try {
  await mkdir(outDir, { recursive: true });
  browser = await launchChromium();

  // 1. nyc_taxi, materialized by real runs.
  const taxiDb = await createTestDatabase();
  await generateTrips({ databaseUrl: taxiDb.url, from: "2024-01-01", to: "2024-02-29", rowsPerDay: 60 });
  const taxi = await serve(taxiDb, path.join(examplesDir, "nyc_taxi"), new Date("2024-03-01T12:00:00Z"), true);
  const first = await api(taxi.url, "POST", "/api/backfills", {
    select: "+daily_metrics",
    from: "2024-01-01",
    to: "2024-02-10",
    policy: "multi_run",
    maxPartitionsPerRun: 4,
  });
  await waitFor(
    async () => /^completed/.test(String((await api(taxi.url, "GET", `/api/backfills/${first.backfillId}`)).status)),
    "the first backfill",
  );
  await api(taxi.url, "POST", "/api/backfills", { select: "daily_zone_metrics", from: "2024-01-01", to: "2024-01-20" });
  await api(taxi.url, "POST", "/api/schedules/nightly/tick", {});
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, baseURL: taxi.url });
  const page = await context.newPage();
  await page.goto("/login");
  await shot(page, "login", { fullPage: false });
  await page.locator("input[name=token]").fill(token);
  await page.locator("button[type=submit]").click();
  await page.waitForURL(/\/$/);
  await waitFor(
    async () =>
      Array.isArray((await api(taxi.url, "GET", "/api/runs?status=queued,running")).runs) &&
      ((await api(taxi.url, "GET", "/api/runs?status=queued,running")).runs as unknown[]).length === 0,
    "every run to finish",
  );
  await page.goto("/");
  await shot(page, "assets-nyc-taxi");
  await page.goto("/assets/daily_metrics?partition=2024-01-15#partition");
  await shot(page, "asset");
  await page.goto("/assets/daily_zone_metrics?partition=2024-01-05");
  await shot(page, "asset-failed", { fullPage: false });
  await page.goto("/runs");
  await shot(page, "runs", { fullPage: false });
  await page.locator("table a.mono").first().click();
  await page.waitForURL(/\/runs\//);
  await shot(page, "run");
  await page.goto(`/backfills/${first.backfillId}`);
  await shot(page, "backfill");
  // A backfill caught mid-way: its first runs wait on a lock the script holds on their source.
  const blocker = await taxi.pool.connect();
  await blocker.query("begin");
  await blocker.query("lock table raw.trips in access exclusive mode");
  const second = await api(taxi.url, "POST", "/api/backfills", {
    select: "daily_metrics",
    from: "2024-02-11",
    to: "2024-02-29",
    only: "missing",
  });
  await page.goto(`/backfills/${second.backfillId}`);
  await page.locator(".counts li", { hasText: "2 running" }).waitFor({ timeout: 30_000 });
  await shot(page, "backfill-running");
  await page.getByRole("button", { name: "Cancel backfill" }).click();
  await page.waitForURL(/\/backfills\//);
  await blocker.query("rollback");
  blocker.release();
  await page.locator("#backfill-status .pill", { hasText: "canceled" }).waitFor({ timeout: 60_000 });
  await shot(page, "backfill-canceled");
  await page.goto("/backfills");
  await shot(page, "backfills", { fullPage: false });
  await page.goto("/schedules");
  await shot(page, "schedules");
  await page.goto("/admin/queues");
  await page.waitForLoadState("networkidle");
  await shot(page, "queues", { fullPage: false });
  await context.close();

  // 2. The large store: 100 assets × 3,650 daily partitions.
  const largeDb = await createTestDatabase();
  const store = await createLargeStore({
    databaseUrl: largeDb.url,
    target: { name: "dev", schema: "public", type: "postgres" },
  });
  cleanups.push(() => rm(store.projectDir, { recursive: true, force: true }));
  const large = await serve(largeDb, store.projectDir, store.now, false);
  const largePage = await browser.newPage({ viewport: { width: 1360, height: 900 }, baseURL: large.url });
  await largePage.goto("/");
  await shot(largePage, "assets-large", { fullPage: false });
  await largePage.locator(".lineage").scrollIntoViewIfNeeded();
  await shot(largePage, "lineage-large", { fullPage: false });
  await largePage.goto(`/assets/${largeStoreAssetKey(77)}?status=failed&partition=2016-03-09`);
  await shot(largePage, "asset-large", { fullPage: false });
  await largePage.close();
} finally {
  await browser?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
}
