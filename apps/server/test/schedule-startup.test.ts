import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import {
  createRunQueue,
  createScheduleQueue,
  type QueueSettings,
  type RunQueue,
  type ScheduleQueue,
  scheduleTickJobName,
} from "@almanac/queue";
import { createTestDatabase, examplesDir, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import {
  deleteKeys,
  randomPrefix,
  recordingLogger,
  testRedisUrl,
} from "../../../packages/queue/test/redis-fixtures.js";
import { type RunningSchedules, startSchedules } from "../src/index.js";

// A server starting up: BullMQ job schedulers from almanac.yml, the tick worker, and catch-up
// of the ticks missed while no server ran. The clock is injected: 2024-01-10T12:00Z.
const now = new Date("2024-01-10T12:00:00Z");

describe("schedules at server start", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let ctx: EngineContext;
  let settings: QueueSettings;
  let runQueue: RunQueue;
  let scheduleQueue: ScheduleQueue;
  let running: RunningSchedules | undefined;
  const logger = recordingLogger();

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on("error", () => undefined);
    ctx = {
      project: await loadProject(path.join(examplesDir, "nyc_taxi")),
      target: { name: "test", schema: "public", type: "postgres" },
      warehouse: pool,
      store: pool,
      sharedTransaction: true,
    };
    settings = { redisUrl: testRedisUrl, prefix: randomPrefix() };
    runQueue = createRunQueue(settings);
    scheduleQueue = createScheduleQueue(settings);
  });
  after(async () => {
    await running?.close();
    await scheduleQueue.close();
    await runQueue.close();
    await deleteKeys(testRedisUrl, settings.prefix);
    await pool.end();
    await database.drop();
  });

  const start = (catchUpDays: number) =>
    startSchedules({ ctx, queue: settings, runQueue, logger, catchUpDays, now: () => now });
  const ticks = () =>
    pool
      .query<{ tick_time: Date; partition_key: string; status: string; run_id: string | null }>(
        "select tick_time, partition_key, status, run_id from almanac.schedule_ticks order by created_at, id",
      )
      .then((r) => r.rows.map((t) => `${t.tick_time.toISOString()} ${t.partition_key} ${t.status}`));

  test("registers one job scheduler per schedule, removes retired ones, and catches up the last days oldest first", async () => {
    // A schedule an older almanac.yml had.
    await scheduleQueue.queue.upsertJobScheduler("retired", { pattern: "0 5 * * *", tz: "UTC" });
    running = await start(3);

    const schedulers = await scheduleQueue.queue.getJobSchedulers();
    assert.deepEqual(
      schedulers.map((s) => [s.key, s.pattern, s.tz]),
      [["nightly", "0 3 * * *", "UTC"]],
    );
    // (2024-01-07T12:00Z, 2024-01-10T12:00Z] holds three 03:00 ticks; the fourth day back is out of bounds.
    assert.deepEqual(await ticks(), [
      "2024-01-08T03:00:00.000Z 2024-01-07 started",
      "2024-01-09T03:00:00.000Z 2024-01-08 started",
      "2024-01-10T03:00:00.000Z 2024-01-09 started",
    ]);
    assert.deepEqual(
      running.caughtUp.map((r) => [r.schedule, r.fired.length]),
      [["nightly", 3]],
    );
    const jobs = await runQueue.queue.getJobs();
    assert.equal(jobs.length, 3, "each caught-up run was enqueued");
  });

  test("a tick delivered by BullMQ fires at its scheduled instant; a duplicate delivery is skipped", async () => {
    const scheduledAt = Date.parse("2024-01-06T03:00:00Z");
    // What the job scheduler adds at each cron instant: the `tick` job, `prevMillis` = the instant.
    for (const jobId of ["dup-a", "dup-b"]) {
      await scheduleQueue.queue.add(scheduleTickJobName, { schedule: "nightly" }, { jobId, prevMillis: scheduledAt });
    }
    const deadline = Date.now() + 10_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = (await ticks()).filter((t) => t.startsWith("2024-01-06T03:00:00.000Z"));
      if (seen.length === 2) break;
      await sleep(50);
    }
    assert.deepEqual(seen.sort(), [
      "2024-01-06T03:00:00.000Z 2024-01-05 skipped",
      "2024-01-06T03:00:00.000Z 2024-01-05 started",
    ]);
  });

  test("a restart catches up nothing already launched and records nothing", async () => {
    await running?.close();
    const before = await ticks();
    running = await start(3);
    assert.deepEqual(running.caughtUp, [{ schedule: "nightly", fired: [] }]);
    assert.deepEqual(await ticks(), before);
  });

  test("catch-up can be turned off", async () => {
    await running?.close();
    running = await start(0);
    assert.deepEqual(running.caughtUp, []);
  });
});
