import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { createRunQueue, runJobId } from "../src/index.js";
import { deleteKeys, freePort, randomPrefix, recordingLogger, testRedisUrl } from "./redis-fixtures.js";

const prefix = randomPrefix();
const settings = { redisUrl: testRedisUrl, prefix };

describe("run queue", () => {
  const runQueue = createRunQueue(settings);
  after(async () => {
    await runQueue.close();
    await deleteKeys(testRedisUrl, prefix);
  });

  test("enqueues one job per run attempt, named by runJobId, under the prefix", async () => {
    const runId = randomUUID();
    await runQueue.enqueueRuns([{ runId, attempt: 0 }]);
    const job = await runQueue.queue.getJob(runJobId(runId, 0));
    assert.deepEqual(job?.data, { runId });
    assert.equal(job?.opts.attempts, 6);
    assert.equal(runQueue.queue.qualifiedName, `${prefix}:runs`);
  });

  test("adding the same run attempt twice leaves one job; a new attempt is a new job", async () => {
    const runId = randomUUID();
    const before = await runQueue.queue.getWaitingCount();
    await runQueue.enqueueRuns([
      { runId, attempt: 0 },
      { runId: runId.toUpperCase(), attempt: 0 },
    ]);
    await runQueue.enqueueRuns([{ runId, attempt: 0 }]);
    assert.equal(await runQueue.queue.getWaitingCount(), before + 1);
    await runQueue.enqueueRuns([{ runId, attempt: 1 }]);
    assert.equal(await runQueue.queue.getWaitingCount(), before + 2);
  });

  test("a malformed run id is refused before anything is sent", async () => {
    const before = await runQueue.queue.getWaitingCount();
    await assert.rejects(
      runQueue.enqueueRuns([
        { runId: randomUUID(), attempt: 0 },
        { runId: "not-a-run", attempt: 0 },
      ]),
      { code: "ALMANAC_BAD_REQUEST" },
    );
    assert.equal(await runQueue.queue.getWaitingCount(), before);
  });

  test("ping answers true while Redis is up", async () => {
    assert.equal(await runQueue.ping(), true);
  });
});

describe("run queue without Redis", () => {
  test("enqueue fails fast, ping says false, close returns, and the error is logged once", async () => {
    const logger = recordingLogger();
    const down = createRunQueue({ redisUrl: `redis://127.0.0.1:${await freePort()}`, prefix: randomPrefix() }, logger);
    try {
      const started = Date.now();
      await assert.rejects(down.enqueueRuns([{ runId: randomUUID(), attempt: 0 }]), {
        name: "AlmanacError",
        code: "ALMANAC_QUEUE_UNAVAILABLE",
      });
      assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
      assert.equal(await down.ping(), false);
      // The client keeps reconnecting meanwhile; the refusal is logged once, not per attempt.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const refusals = logger.lines.filter((l) => l.level === "error" && l.message.includes("ECONNREFUSED"));
      assert.equal(refusals.length, 1);
    } finally {
      const closing = Date.now();
      await down.close();
      assert.ok(Date.now() - closing < 2_000);
    }
  });
});
