import { setTimeout as sleep } from "node:timers/promises";
import { type EngineContext, planRun, policyOf, type RunRequest, resolveRunRequest, submitRun } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue, type RunQueue } from "@almanac/queue";
import { getRun, type RunWithSteps, storeDb } from "@almanac/store";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import {
  deleteKeys,
  randomPrefix,
  recordingLogger,
  testRedisUrl,
} from "../../../packages/queue/test/redis-fixtures.js";
import { type RunningWorker, startWorker } from "../src/index.js";

/** For key validation: every January 2024 partition is in the past. */
const now = new Date("2024-06-01T00:00:00Z");

/**
 * A database of its own with nyc_taxi trips loaded, an engine context over a project, a
 * queue prefix of its own, and helpers to submit runs the way the API does and wait for them.
 */
export interface WorkerFixture {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly ctx: EngineContext;
  readonly prefix: string;
  readonly redisUrl: string;
  readonly runQueue: RunQueue;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** Starts a worker on this fixture's queue; closed (if still open) by `close()`. */
  startWorker(options?: { redisUrl?: string; workerId?: string }): Promise<RunningWorker>;
  /** Records a run as `POST /api/runs` does and returns its id and attempt; does not enqueue. */
  submit(request: RunRequest): Promise<{ runId: string; attempt: number }>;
  run(runId: string): Promise<RunWithSteps>;
  /** Polls Postgres until `done(run)` holds; fails after `timeoutMs` (default 30 s). */
  waitForRun(runId: string, done: (run: RunWithSteps) => boolean, timeoutMs?: number): Promise<RunWithSteps>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function workerFixture(
  projectDir: string,
  trips: { from: string; to: string; rowsPerDay: number },
): Promise<WorkerFixture> {
  const database = await createTestDatabase();
  await generateTrips({ databaseUrl: database.url, ...trips });
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  pool.on("error", () => undefined);
  const ctx: EngineContext = {
    project: await loadProject(projectDir),
    target: { name: "test", schema: "public", type: "postgres" },
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  };
  const prefix = randomPrefix();
  const logger = recordingLogger();
  const runQueue = createRunQueue({ redisUrl: testRedisUrl, prefix }, logger);
  const workers: RunningWorker[] = [];
  const run = async (runId: string) => {
    const found = await getRun(storeDb(pool), runId);
    if (!found) throw new Error(`no run ${runId}`);
    return found;
  };

  return {
    database,
    pool,
    ctx,
    prefix,
    redisUrl: testRedisUrl,
    runQueue,
    logger,
    async startWorker(options = {}) {
      const worker = await startWorker({
        ctx,
        queue: { redisUrl: options.redisUrl ?? testRedisUrl, prefix },
        concurrency: 2,
        logger,
        workerId: options.workerId,
      });
      workers.push(worker);
      return worker;
    },
    async submit(request) {
      const resolved = resolveRunRequest(ctx.project, request, now);
      const policy = policyOf(ctx.project, resolved.models, resolved.partitions?.name);
      const steps = planRun(ctx.project, resolved, {
        maxPartitionsPerStep: policy.type === "single_run" ? resolved.keys.length : policy.maxPartitionsPerRun,
      });
      const { runId, attempt } = await submitRun(pool, resolved, steps, { trigger: "api" });
      return { runId, attempt };
    },
    run,
    async waitForRun(runId, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await run(runId);
        if (done(current)) return current;
        if (Date.now() > deadline) {
          const steps = current.steps.map((s) => `${s.assetKey} ${s.partitionFrom ?? ""} ${s.status}`).join(", ");
          throw new Error(`run ${runId} still ${current.status} after ${timeoutMs} ms: ${steps}`);
        }
        await sleep(50);
      }
    },
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(5_000)));
      await runQueue.close();
      await deleteKeys(testRedisUrl, prefix);
      await pool.end();
      await database.drop();
    },
  };
}
