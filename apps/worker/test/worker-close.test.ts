import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createRunQueue, runJobId } from "@almanac/queue";
import { copyProject, editFile } from "@almanac/testing";
import { type RedisServer, startRedisServer } from "../../../packages/queue/test/redis-fixtures.js";
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

/** The job's state once the worker that had it let go of it. */
async function settledJobState(f: WorkerFixture, jobId: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const state = (await (await f.runQueue.queue.getJob(jobId))?.getState()) ?? "missing";
    if (state !== "active" || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
