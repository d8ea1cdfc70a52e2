import { randomBytes } from "node:crypto";

import path from "node:path";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue, type RunQueue } from "@almanac/queue";
import { createTestDatabase, examplesDir, freePort, type TestDatabase } from "@almanac/testing";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type AppOptions, buildApp } from "../src/index.js";

/** Fixed clock: with the nyc_taxi daily definition (start 2024-01-01) the last partition is 2024-01-09. */
export const now = new Date("2024-01-10T12:00:00Z");

export interface ServerFixture {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly ctx: EngineContext;
  readonly queue: RunQueue;
  /** Ids of the jobs in the queue, sorted. */
  jobIds(): Promise<string[]>;
  readonly app: FastifyInstance;
  /** Rows of `almanac.runs`: what a rejected request must leave unchanged. */
  countRuns(): Promise<number>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface ServerFixtureOptions
  extends Partial<
    Pick<AppOptions, "apiToken" | "readTokens" | "namedTokens" | "logger" | "rateLimitPerMinute" | "webPublicRead">
  > {
  /** Load trips for 2024-01-01..2024-01-03 so runs can execute. Default false. */
  readonly trips?: boolean;
}

/** The local Redis; each fixture uses a prefix of its own on it. */
export const redisUrl = process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A run queue on the local Redis under a fresh prefix, so test files never see each other's jobs. */
export function testRunQueue(url: string = redisUrl): RunQueue {
  return createRunQueue({ redisUrl: url, prefix: `almanac_test_${randomBytes(6).toString("hex")}` });
}

/** A database of its own, the nyc_taxi project, a run queue, and the app over them. */
export async function serverFixture(options: ServerFixtureOptions = {}): Promise<ServerFixture> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on("error", () => undefined);
  if (options.trips) {
    await generateTrips({ databaseUrl: database.url, from: "2024-01-01", to: "2024-01-03", rowsPerDay: 50 });
  }
  const ctx: EngineContext = {
    project: await loadProject(path.join(examplesDir, "nyc_taxi")),
    target: { name: "test", schema: "public", type: "postgres" },
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  };
  const queue = testRunQueue();
  const app = await buildApp({
    ctx,
    runQueue: queue,
    apiToken: options.apiToken,
    readTokens: options.readTokens,
    namedTokens: options.namedTokens,
    rateLimitPerMinute: options.rateLimitPerMinute,
    webPublicRead: options.webPublicRead,
    logger: options.logger ?? false,
    now: () => now,
  });
  const query = async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
    (await pool.query<T>(sql, params)).rows;
  return {
    database,
    pool,
    ctx,
    queue,
    app,
    query,
    async jobIds() {
      const jobs = await queue.queue.getJobs();
      return jobs.map((job) => job.id ?? "").sort();
    },
    async countRuns() {
      const [row] = await query<{ n: number }>("select count(*)::int as n from almanac.runs");
      return row?.n ?? 0;
    },
    async close() {
      await app.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** A port nothing listens on. */
export const closedPort = freePort;
