import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type EngineContext,
  executeRun,
  getBackfillProgress,
  reconcileRuns,
  requestBackfill,
  requestRun,
} from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue, type QueueSettings, type RunQueue, runJobId, runJobStates } from "@almanac/queue";
import { finishRun, getRun, heartbeatRun, type RunWithSteps, storeDb } from "@almanac/store";
import { createTestDatabase, examplesDir, symmetricDifference, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import {
  deleteKeys,
  type RedisServer,
  randomPrefix,
  recordingLogger,
  startRedisServer,
} from "../../../packages/queue/test/redis-fixtures.js";
import { type RunningWorker, startWorker } from "../../worker/src/index.js";
import { startReconciler } from "../src/index.js";

// Postgres is the truth, Redis is transport (DESIGN §3.5): whatever Redis loses, the reconciler
// hands over again from what Postgres says is owed. A Redis server of the test's own, so
// wiping it hurts no other test file.
const now = new Date("2024-06-01T00:00:00Z");

describe("reconciler", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let ctx: EngineContext;
  let redis: RedisServer;
  let settings: QueueSettings;
  let runQueue: RunQueue;
  const logger = recordingLogger();
  const workers: RunningWorker[] = [];

  before(async () => {
    database = await createTestDatabase();
    await generateTrips({ databaseUrl: database.url, from: "2024-01-01", to: "2024-01-12", rowsPerDay: 40 });
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    pool.on("error", () => undefined);
    ctx = {
      project: await loadProject(path.join(examplesDir, "nyc_taxi")),
      target: { name: "test", schema: "public", type: "postgres" },
      warehouse: pool,
      store: pool,
      sharedTransaction: true,
    };
    redis = await startRedisServer();
    settings = { redisUrl: redis.url, prefix: randomPrefix() };
    runQueue = createRunQueue(settings, logger);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.close(5_000)));
    await runQueue.close();
    await redis.kill();
    await pool.end();
    await database.drop();
  });

  const work = async (options: { ctx?: EngineContext; concurrency?: number } = {}) => {
    const worker = await startWorker({
      ctx: options.ctx ?? ctx,
      queue: settings,
      concurrency: options.concurrency ?? 2,
      logger,
    });
    workers.push(worker);
    return worker;
  };
  const run = async (runId: string): Promise<RunWithSteps> => {
    const found = await getRun(storeDb(pool), runId);
    assert.ok(found, `run ${runId}`);
    return found;
  };
  const waitFor = async (runIds: readonly string[], done: (r: RunWithSteps) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = await Promise.all(runIds.map(run));
      if (runs.every(done)) return runs;
      if (Date.now() > deadline) {
        throw new Error(`runs not done after ${timeoutMs} ms: ${runs.map((r) => `${r.id} ${r.status}`).join(", ")}`);
      }
      await sleep(50);
    }
  };
  const jobs = {
    jobStates: (runs: readonly { runId: string; attempt: number }[]) => runJobStates(runQueue, runs),
    enqueueRuns: (runs: readonly { runId: string; attempt: number }[]) => runQueue.enqueueRuns(runs),
  };

  test("after Redis loses every key mid-way, one reconcile pass and a worker finish every run", async () => {
    const runIds: string[] = [];
    for (const day of ["01", "02", "03", "04", "05", "06"]) {
      const submitted = await requestRun(
        ctx,
        { select: "daily_metrics", partition: `2024-01-${day}` },
        { now, trigger: "api" },
      );
      await runQueue.enqueueRuns([submitted]);
      runIds.push(submitted.runId);
    }
    // Views first (daily_metrics reads stg_trips), as the server would have built them once.
    const views = await requestRun(ctx, { select: "stg_trips stg_zones" }, { now, trigger: "api" });
    assert.equal((await executeRun(ctx, views.runId)).status, "succeeded");

    // A worker gets through part of the queue, then stops; Redis then loses everything.
    const first = await work({ concurrency: 1 });
    await waitFor(runIds.slice(0, 2), (r) => r.status === "succeeded");
    await first.close(5_000);
    await deleteKeys(redis.url, settings.prefix);
    const owed = (await Promise.all(runIds.map(run)))
      .filter((r) => r.status === "queued")
      .map((r) => ({ runId: r.id, attempt: r.attempt }));
    assert.ok(owed.length >= 1, "some runs were still queued when Redis lost their jobs");
    const states = await runJobStates(runQueue, owed);
    assert.deepEqual(new Set(states.map((s) => s.state)), new Set(["missing"]));

    const reconciler = startReconciler({ ctx, runQueue, logger, intervalMs: 60_000, enqueueGraceMs: 0 });
    try {
      await reconciler.runOnce();
    } finally {
      await reconciler.close();
    }
    const handedOver = logger.lines.find((l) => /had no job in Redis; enqueued again/.test(l.message));
    assert.equal(handedOver?.fields.count, owed.length);
    assert.deepEqual(
      (await runJobStates(runQueue, owed)).map((s) => s.state),
      owed.map(() => "pending"),
    );

    await work();
    await waitFor(runIds, (r) => r.status === "succeeded");
    const expected = `select tpep_pickup_datetime::date as date, count(*)::bigint as trip_count from raw.trips
      where tpep_pickup_datetime >= '2024-01-01' and tpep_pickup_datetime < '2024-01-07' group by 1`;
    assert.deepEqual(
      await symmetricDifference(pool, "select date, trip_count from public.daily_metrics", expected),
      [],
    );
  });

  test("a backfill whose jobs Redis lost mid-way still completes through the reconciler", async () => {
    const backfill = await requestBackfill(
      ctx,
      { select: "+daily_zone_metrics", from: "2024-01-07", to: "2024-01-12" },
      { now },
    );
    await runQueue.enqueueRuns(backfill.ready);
    // One worker gets the first wave (the views) and part of the partitions, then stops.
    const first = await work({ concurrency: 1 });
    for (let i = 0; i < 200; i++) {
      const progress = await getBackfillProgress(ctx, backfill.backfillId);
      if (progress.counts.materialized >= 2) break;
      await sleep(25);
    }
    await first.close(5_000);
    await deleteKeys(redis.url, settings.prefix);

    const reconciler = startReconciler({ ctx, runQueue, logger, intervalMs: 60_000, enqueueGraceMs: 0 });
    try {
      await reconciler.runOnce();
    } finally {
      await reconciler.close();
    }
    await work();
    let progress = await getBackfillProgress(ctx, backfill.backfillId);
    for (let i = 0; i < 400 && progress.status !== "completed"; i++) {
      await sleep(50);
      progress = await getBackfillProgress(ctx, backfill.backfillId);
    }
    assert.equal(progress.status, "completed");
    // Six partitions of daily_zone_metrics, plus the two staging views it reads, built once.
    assert.equal(progress.counts.materialized, 8);
    assert.equal(progress.counts.failed, 0);
    const expected = `select tpep_pickup_datetime::date as date, count(*)::bigint as trips from raw.trips
      where tpep_pickup_datetime >= '2024-01-07' and tpep_pickup_datetime < '2024-01-13' group by 1`;
    assert.deepEqual(
      await symmetricDifference(
        pool,
        "select date, sum(trip_count)::bigint as trips from public.daily_zone_metrics where date >= '2024-01-07' group by 1",
        expected,
      ),
      [],
    );
  });

  test("a running run whose worker went silent is taken over, fenced, and resumes after its last step", async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(5_000)));
    // Two steps (daily_metrics, then daily_zone_metrics) for 2024-01-08; the "worker" dies after the first.
    const submitted = await requestRun(ctx, { select: "tag:daily", partition: "2024-01-08" }, { now, trigger: "api" });
    await assert.rejects(
      executeRun(ctx, submitted.runId, {
        workerId: "doomed-host:1",
        onStep: () => {
          throw new Error("killed after its first step");
        },
      }),
      /killed/,
    );
    const dead = await run(submitted.runId);
    assert.equal(dead.status, "running");
    assert.deepEqual(
      dead.steps.map((s) => s.status),
      ["succeeded", "queued"],
    );
    const firstStepFinishedAt = dead.steps[0]?.finishedAt?.toISOString();

    // A heartbeat 5 minutes old is past the 60 s bound... as seen from two servers at once.
    await pool.query("update almanac.runs set heartbeat_at = now() - interval '5 minutes' where id = $1", [dead.id]);
    const reports = await Promise.all(
      [1, 2].map(() => reconcileRuns(pool, jobs, { now: new Date(), staleRunMs: 60_000, enqueueGraceMs: 0 })),
    );
    const takenOver = reports.flatMap((r) => r.takenOver);
    assert.equal(takenOver.length, 1, "exactly one server takes the run over");
    assert.deepEqual(takenOver[0] && { ...takenOver[0], heartbeatAt: undefined }, {
      runId: dead.id,
      previousAttempt: dead.attempt,
      attempt: dead.attempt + 1,
      workerId: "doomed-host:1",
      heartbeatAt: undefined,
    });
    const requeued = await run(dead.id);
    assert.equal(requeued.status, "queued");
    assert.equal(requeued.attempt, dead.attempt + 1);
    assert.ok(await runQueue.queue.getJob(runJobId(dead.id, requeued.attempt)), "the new attempt's job is queued");

    // The old worker wakes up: its heartbeat and its finish are refused and change nothing.
    const db = storeDb(pool);
    assert.equal(await heartbeatRun(db, { runId: dead.id, attempt: dead.attempt }), null);
    assert.equal(await finishRun(db, { runId: dead.id, status: "failed", attempt: dead.attempt }), false);
    assert.equal((await run(dead.id)).status, "queued");

    await work();
    const [done] = await waitFor([dead.id], (r) => r.status === "succeeded");
    assert.equal(done?.steps[0]?.finishedAt?.toISOString(), firstStepFinishedAt, "the finished step was not re-run");
    const [events] = await Promise.all([
      pool.query<{ message: string }>("select message from almanac.run_events where run_id = $1 order by id", [
        dead.id,
      ]),
    ]);
    const messages = events.rows.map((e) => e.message);
    assert.ok(messages.some((m) => /no heartbeat from doomed-host:1 .* taken over, queued again as attempt/.test(m)));
    assert.equal(messages.filter((m) => m === "daily_metrics [2024-01-08]: started").length, 1);
    const partitions = await pool.query(
      "select asset_key, status from almanac.asset_partitions where partition_key = '2024-01-08' order by 1",
    );
    assert.deepEqual(partitions.rows, [
      { asset_key: "daily_metrics", status: "materialized" },
      { asset_key: "daily_zone_metrics", status: "materialized" },
    ]);
  });

  test("a queued run whose job BullMQ gave up on gets a new attempt once the job is old enough", async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(5_000)));
    // A worker whose almanac.yml lost the partitions definition gives the job up (unrecoverable)
    // before the run starts: the run stays queued, its job is failed.
    const broken: EngineContext = { ...ctx, project: { ...ctx.project, partitions: new Map() } };
    const submitted = await requestRun(
      ctx,
      { select: "daily_metrics", partition: "2024-01-09" },
      { now, trigger: "api" },
    );
    await runQueue.enqueueRuns([submitted]);
    const brokenWorker = await work({ ctx: broken });
    const deadline = Date.now() + 10_000;
    let state = (await runJobStates(runQueue, [submitted]))[0];
    while (state?.state !== "finished" && Date.now() < deadline) {
      await sleep(50);
      state = (await runJobStates(runQueue, [submitted]))[0];
    }
    assert.equal(state?.state, "finished");
    await brokenWorker.close(5_000);
    assert.equal((await run(submitted.runId)).status, "queued");

    // Within the bound the run is left alone (a run failing the same way must not spin)…
    const early = await reconcileRuns(pool, jobs, { now: new Date(), staleRunMs: 60_000, enqueueGraceMs: 0 });
    assert.deepEqual(early.renewed, []);
    // …after it, it gets a fresh job id, and a mended worker finishes it.
    const later = await reconcileRuns(pool, jobs, {
      now: new Date(Date.now() + 120_000),
      staleRunMs: 60_000,
      enqueueGraceMs: 0,
    });
    assert.deepEqual(later.renewed, [{ runId: submitted.runId, attempt: submitted.attempt + 1 }]);
    await work();
    await waitFor([submitted.runId], (r) => r.status === "succeeded");
  });
});
