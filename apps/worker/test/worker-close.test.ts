import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createRunQueue, type RunJobData, type RunJobResult, runJobId, runQueueName } from "@almanac/queue";
import { copyProject, editFile, examplesDir } from "@almanac/testing";
import { DelayedError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type RedisServer, startRedisServer } from "../../../packages/queue/test/redis-fixtures.js";
import { runJobProcessor } from "../src/index.js";
import { type WorkerFixture, workerFixture } from "./worker-fixture.js";

/** Each daily_metrics step sleeps this long, so a run of a week is long enough to interrupt. */
const stepSeconds = 0.4;
const week = { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-07" } as const;
const settled = (run: { steps: readonly { status: string }[] }) => !run.steps.some((s) => s.status === "running");

describe("closing a worker in the middle of a run", () => {
  let f: WorkerFixture;
  before(async () => {
    const dir = await copyProject("nyc_taxi");
    await editFile(
      path.join(dir, "models/marts/daily_metrics.sql"),
      "from {{ ref('stg_trips') }}",
      `from {{ ref('stg_trips') }} cross join (select pg_sleep(${stepSeconds})) as pause`,
    );
    f = await workerFixture(dir, { from: "2024-01-01", to: "2024-01-07", rowsPerDay: 20 });
  });
  after(() => f?.close());

  test("returns by the deadline and leaves the run for re-execution, which resumes it", async () => {
    const worker = await f.startWorker({ workerId: "first" });
    const { runId, attempt } = await f.submit(week);
    await f.runQueue.enqueueRuns([{ runId, attempt }]);
    await f.waitForRun(runId, (run) => run.steps.filter((s) => s.status === "succeeded").length >= 2);

    const started = Date.now();
    await worker.close(500);
    const took = Date.now() - started;
    assert.ok(took < 500 + 1_500, `close took ${took} ms`);

    // The step in flight commits, then the run stops: not succeeded, not failed, still owed.
    const left = await f.waitForRun(runId, settled, 5_000);
    assert.equal(left.status, "running");
    const done = left.steps.filter((s) => s.status === "succeeded").length;
    assert.ok(done >= 2 && done < left.steps.length, `${done} of ${left.steps.length} steps done`);
    assert.ok(left.steps.every((s) => s.status === "succeeded" || s.status === "queued"));

    // The interrupted job goes back to BullMQ for a retry; another worker takes it and resumes
    // the run after its last finished step.
    assert.match(await settledJobState(f, runJobId(runId, attempt)), /^(delayed|waiting)$/);
    await f.startWorker({ workerId: "second" });
    const resumed = await f.waitForRun(runId, (run) => run.status !== "running");
    assert.equal(resumed.status, "succeeded");
    assert.equal(resumed.workerId, "second");
    assert.equal(resumed.attempt, 2);
    const [count] = await f.query<{ n: number }>("select count(*)::int as n from public.daily_metrics");
    assert.equal(count?.n, 7);
  });

  test("returns by the deadline when Redis is gone", async () => {
    let redis: RedisServer | undefined = await startRedisServer();
    const queue = createRunQueue({ redisUrl: redis.url, prefix: f.prefix });
    try {
      const worker = await f.startWorker({ redisUrl: redis.url, workerId: "orphan" });
      const { runId, attempt } = await f.submit(week);
      await queue.enqueueRuns([{ runId, attempt }]);
      await f.waitForRun(runId, (run) => run.steps.some((s) => s.status === "succeeded"));
      await redis.kill();
      redis = undefined;

      const started = Date.now();
      await worker.close(500);
      const took = Date.now() - started;
      assert.ok(took < 500 + 1_500, `close took ${took} ms`);
      const left = await f.waitForRun(runId, settled, 5_000);
      assert.notEqual(left.status, "succeeded");
      const errors = f.logger.lines.filter((l) => l.level === "error" && l.fields.workerId === "orphan");
      assert.ok(errors.length <= 3, `Redis errors are logged once each, got ${errors.length}`);
    } finally {
      await queue.close();
      await redis?.kill();
    }
  });
});

describe("a job fetched just as the worker began to stop", () => {
  let f: WorkerFixture;
  before(async () => {
    f = await workerFixture(path.join(examplesDir, "nyc_taxi"), {
      from: "2024-01-01",
      to: "2024-01-02",
      rowsPerDay: 10,
    });
  });
  after(() => f?.close());

  test("is handed back untouched: the run is not started and the job is ready for another worker", async () => {
    const { runId, attempt } = await f.submit({ select: "+daily_metrics", partition: "2024-01-01" });
    await f.runQueue.enqueueRuns([{ runId, attempt }]);
    // Fetch the job as BullMQ's worker loop does, holding its lock, without processing it.
    const connection = new Redis(f.redisUrl, { maxRetriesPerRequest: null });
    const fetcher = new Worker<RunJobData, RunJobResult>(runQueueName, null, { connection, prefix: f.prefix });
    try {
      const token = "handback-test";
      const job = await fetcher.getNextJob(token);
      assert.ok(job?.id);
      assert.equal(job.id, runJobId(runId, attempt));
      const beganStopping = new AbortController();
      beganStopping.abort();
      const process = runJobProcessor({
        ctx: f.ctx,
        workerId: "stopping",
        logger: f.logger,
        stopping: new AbortController().signal,
        beganStopping: beganStopping.signal,
      });
      await assert.rejects(process(job, token), DelayedError);
      assert.match(await f.runQueue.queue.getJobState(job.id), /^(delayed|waiting)$/);
      const run = await f.run(runId);
      assert.equal(run.status, "queued");
      assert.equal(run.attempt, attempt, "the engine never took the run");
      assert.ok(run.steps.every((s) => s.status === "queued"));
    } finally {
      await fetcher.close();
      await connection.quit();
    }
  });
});

/** The job's state once the worker that had it let go of it. */
async function settledJobState(f: WorkerFixture, jobId: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const state = (await (await f.runQueue.queue.getJob(jobId))?.getState()) ?? "missing";
    if (state !== "active" || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
