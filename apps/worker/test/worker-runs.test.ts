import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { runJobId } from "@almanac/queue";
import { copyProject, editFile, examplesDir } from "@almanac/testing";
import { type WorkerFixture, workerFixture } from "./worker-fixture.js";

const trips = { from: "2024-01-01", to: "2024-01-04", rowsPerDay: 50 };
const finished = (run: { status: string }) => !["queued", "running"].includes(run.status);

describe("a worker executing queued runs", () => {
  let f: WorkerFixture;
  before(async () => {
    f = await workerFixture(path.join(examplesDir, "nyc_taxi"), trips);
    await f.startWorker();
  });
  after(() => f?.close());

  test("a queued run is executed to success and its partitions written", async () => {
    const { runId, attempt } = await f.submit({ select: "+daily_metrics", from: "2024-01-01", to: "2024-01-03" });
    await f.runQueue.enqueueRuns([{ runId, attempt }]);
    const run = await f.waitForRun(runId, finished);
    assert.equal(run.status, "succeeded");
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ["succeeded", "succeeded", "succeeded", "succeeded"],
    );
    const rows = await f.query<{ date: string }>("select date::text from public.daily_metrics order by date");
    assert.deepEqual(
      rows.map((r) => r.date),
      ["2024-01-01", "2024-01-02", "2024-01-03"],
    );
    // The run's status commits before BullMQ records the job as completed: wait for the latter.
    const job = await waitForJobState(f, runJobId(runId, attempt), "completed");
    assert.deepEqual(job.returnvalue, { status: "succeeded" });
    assert.ok(run.workerId, "the run records which worker executed it");
  });

  test("a job for a run that already finished is given up, not retried", async () => {
    const { runId, attempt } = await f.submit({ select: "daily_metrics", partition: "2024-01-04" });
    await f.runQueue.enqueueRuns([{ runId, attempt }]);
    await f.waitForRun(runId, finished);
    // A late duplicate (the reconciler racing the API, say) under another job id.
    await f.runQueue.enqueueRuns([{ runId, attempt: attempt + 1 }]);
    const duplicate = runJobId(runId, attempt + 1);
    const state = await waitForJobState(f, duplicate, "failed");
    assert.equal(state.attemptsMade, 1);
    assert.match(state.failedReason, /^ALMANAC_UNKNOWN_RUN: /);
    assert.equal((await f.run(runId)).status, "succeeded");
    const warned = f.logger.lines.find(
      (l) => l.level === "warn" && l.message.includes("given up") && l.fields.runId === runId,
    );
    assert.ok(warned, "an expected race is logged as a warning");
  });
});

describe("a worker executing a run whose model fails", () => {
  let f: WorkerFixture;
  before(async () => {
    const dir = await copyProject("nyc_taxi");
    await editFile(
      path.join(dir, "models/marts/daily_metrics.sql"),
      "count(*)::bigint as trip_count",
      "count(*)::bigint / 0 as trip_count",
    );
    f = await workerFixture(dir, trips);
    await f.startWorker();
  });
  after(() => f?.close());

  test("the run ends failed, the job completes with that status and is not retried", async () => {
    const { runId, attempt } = await f.submit({ select: "+daily_metrics", from: "2024-01-01", to: "2024-01-02" });
    await f.runQueue.enqueueRuns([{ runId, attempt }]);
    const run = await f.waitForRun(runId, finished);
    assert.equal(run.status, "failed");
    assert.equal(run.errorCode, "ALMANAC_MODEL_SQL_ERROR");
    assert.match(run.errorMessage ?? "", /division by zero/);
    const job = await waitForJobState(f, runJobId(runId, attempt), "completed");
    assert.deepEqual(job.returnvalue, { status: "failed" });
    assert.equal(job.attemptsMade, 1);
    // Executed once: the engine bumped the run's attempt once, and no retry is waiting.
    assert.equal(run.attempt, 1);
    assert.equal(await f.runQueue.queue.getDelayedCount(), 0);
  });
});

async function waitForJobState(f: WorkerFixture, jobId: string, state: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // State first, then the job: a job read before it completed lacks its return value.
    if ((await f.runQueue.queue.getJobState(jobId)) === state) {
      const job = await f.runQueue.queue.getJob(jobId);
      if (job) return job;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} never reached ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
