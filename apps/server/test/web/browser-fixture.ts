import { randomBytes } from "node:crypto";
import path from "node:path";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue } from "@almanac/queue";
import { createTestDatabase, examplesDir, launchChromium, type TestDatabase } from "@almanac/testing";
import { type RunningWorker, startWorker } from "@almanac/worker";
import pg from "pg";
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { generateTrips } from "../../../../examples/nyc_taxi/scripts/load-trips.js";
import { type RunningServer, startServer } from "../../src/index.js";
import { redisUrl } from "../server-fixture.js";

/** Fixed clock: with nyc_taxi's daily definition (start 2024-01-01) the last partition is 2024-01-09. */
export const now = new Date("2024-01-10T12:00:00Z");

/** Debian's Chromium; never a downloaded browser. Override with ALMANAC_TEST_CHROMIUM. */

export interface BrowserFixture {
  readonly url: string;
  readonly browser: Browser;
  readonly pool: pg.Pool;
  readonly ctx: EngineContext;
  /** A fresh page (its own cookies). */
  newPage(): Promise<Page>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface BrowserFixtureOptions {
  readonly apiToken?: string;
  readonly webPublicRead?: boolean;
  /** Start a worker on the server's queue, so requested runs execute. Default true. */
  readonly worker?: boolean;
}

/**
 * A real server and a real worker on a database and a queue prefix of their own, the nyc_taxi
 * project with trips for 2024-01-01..2024-01-09, and a headless Chromium.
 */
export async function browserFixture(options: BrowserFixtureOptions = {}): Promise<BrowserFixture> {
  const database: TestDatabase = await createTestDatabase();
  await generateTrips({ databaseUrl: database.url, from: "2024-01-01", to: "2024-01-09", rowsPerDay: 40 });
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  pool.on("error", () => undefined);
  const ctx: EngineContext = {
    project: await loadProject(path.join(examplesDir, "nyc_taxi")),
    target: { name: "test", schema: "public", type: "postgres" },
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  };
  const settings = { redisUrl, prefix: `almanac_web_${randomBytes(6).toString("hex")}` };
  const queue = createRunQueue(settings);
  const logger = pino({ enabled: false });
  const worker: RunningWorker | undefined =
    options.worker === false
      ? undefined
      : await startWorker({ ctx, queue: settings, concurrency: 2, logger, workerId: "web-test" });
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer({
      ctx,
      runQueue: queue,
      apiToken: options.apiToken,
      webPublicRead: options.webPublicRead,
      logger: false,
      now: () => now,
      host: "127.0.0.1",
      port: 0,
    });
    browser = await launchChromium();
  } catch (error) {
    await server?.close();
    await worker?.close(2_000);
    await queue.close();
    await pool.end();
    await database.drop();
    throw error;
  }
  const running = server;
  const openBrowser = browser;
  return {
    url: running.url,
    browser: openBrowser,
    pool,
    ctx,
    async newPage() {
      const context = await openBrowser.newContext({ baseURL: running.url, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async close() {
      await openBrowser.close();
      await running.close();
      await worker?.close(5_000);
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await pool.end();
      await database.drop();
    },
  };
}
