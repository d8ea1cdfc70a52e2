import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { copyProject, editFile } from "@almanac/testing";
import { type WorkerFixture, workerFixture } from "./worker-fixture.js";

const workerScript = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

describe("a worker process receiving SIGTERM mid-run", () => {
  let f: WorkerFixture;
  let projectDir: string;
  before(async () => {
    projectDir = await copyProject("nyc_taxi");
    await editFile(
      path.join(projectDir, "models/marts/daily_metrics.sql"),
      "from {{ ref('stg_trips') }}",
      "from {{ ref('stg_trips') }} cross join (select pg_sleep(0.4)) as pause",
    );
    f = await workerFixture(projectDir, { from: "2024-01-01", to: "2024-01-07", rowsPerDay: 20 });
  });
  after(() => f?.close());

  test("exits 0 by its deadline and leaves the run to be resumed", async () => {
    const child: ChildProcess = spawn(process.execPath, ["--conditions=source", "--import", "tsx", workerScript], {
      env: {
        ...process.env,
        DATABASE_URL: f.database.url,
        ALMANAC_PROJECT_DIR: projectDir,
        REDIS_URL: f.redisUrl,
        ALMANAC_QUEUE_PREFIX: f.prefix,
        SHUTDOWN_DEADLINE_MS: "500",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, "exit");
    try {
      const { runId, attempt } = await f.submit({ select: "+daily_metrics", from: "2024-01-01", to: "2024-01-07" });
      await f.runQueue.enqueueRuns([{ runId, attempt }]);
      await f.waitForRun(runId, (run) => run.steps.filter((s) => s.status === "succeeded").length >= 2);

      const signaled = Date.now();
      child.kill("SIGTERM");
      const [code] = await exited;
      assert.equal(code, 0, stderr);
      assert.ok(Date.now() - signaled < 500 + 1_500, `exited after ${Date.now() - signaled} ms`);
      assert.match(stderr, /deadline of 500 ms passed/);

      // Killed between or inside a step: nothing is marked succeeded that did not commit, and
      // the run is still owed — `running`, with steps left to do.
      const left = await f.run(runId);
      assert.equal(left.status, "running");
      assert.ok(left.steps.some((s) => s.status !== "succeeded"));
      await f.startWorker({ workerId: "successor" });
      await f.runQueue.enqueueRuns([{ runId, attempt: left.attempt }]);
      const resumed = await f.waitForRun(runId, (run) => run.status !== "running");
      assert.equal(resumed.status, "succeeded");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
