import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { AlmanacProcess } from "./harness/almanac-process.js";
import {
  type FaultWorld,
  markFault,
  midBackfill,
  reportRecovery,
  secondsSince,
  slowDailyMetrics,
  startFaultWorld,
} from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";

// Scenario 2: SIGTERM with partitions in flight, first with Redis up, then with Redis down. The
// worker stops taking work, finishes (or hands back) what it has, and exits within its 30 s
// shutdown deadline even when Redis is gone.
const shutdownDeadlineS = 30;
let world: FaultWorld;
let reference: Record<string, string>;
before(async () => {
  world = await startFaultWorld({ editProject: (dir) => slowDailyMetrics(dir, 1.5) });
  reference = await referenceFingerprints(world.days);
});
after(() => world?.close());

/** Pino lines the worker logged after it began stopping. */
function linesAfterStopping(worker: AlmanacProcess): string[] {
  const lines = worker.output().split("\n");
  const from = lines.findIndex((line) => line.includes("worker stopping"));
  assert.ok(from >= 0, `the worker logged that it was stopping:\n${worker.output().slice(-3000)}`);
  return lines.slice(from);
}

/** SIGTERM, then the exit code and seconds it took; fails if it outlives the deadline by 10 s. */
async function terminate(worker: AlmanacProcess, label: string): Promise<{ code: number | string; seconds: string }> {
  const signaled = performance.now();
  const exit = worker.stop("SIGTERM");
  const code = await world.waitFor(`${worker.name} to exit after SIGTERM`, () => exit, (shutdownDeadlineS + 10) * 1000);
  const seconds = secondsSince(signaled);
  console.log(`shutdown: scenario 2 (${label}) worker exited ${seconds} s after SIGTERM, code ${code}`);
  return { code, seconds };
}

test("scenario 2: SIGTERM mid-partition — the worker stops taking work, finishes what it has, exits; Redis down or not", async () => {
  await world.startServer();
  const first = world.startWorker();
  const backfillId = await world.backfill();

  // Redis up: stop taking jobs, let the runs in flight finish, exit 0.
  await midBackfill(world);
  const up = await terminate(first, "Redis up");
  assert.equal(up.code, 0, first.output().slice(-3000));
  const startedAfterStop = linesAfterStopping(first).filter((line) => /"msg":"run [0-9a-f-]+ started"/.test(line));
  assert.deepEqual(startedAfterStop, [], "no run taken after SIGTERM");
  const { rows: running } = await world.db.query("select id from almanac.runs where status = 'running'");
  assert.deepEqual(running, [], "the runs it had were finished before it exited, none left running");

  // Redis down: the steps in flight still commit to Postgres; the worker exits by its deadline.
  const second = world.startWorker();
  await midBackfill(world, 4);
  await world.redis.kill();
  const down = await terminate(second, "Redis down");
  assert.equal(down.code, 0, second.output().slice(-3000));
  assert.match(second.output(), /worker stopped/);

  // Redis back (AOF kept the queue) and a new worker: the backfill completes.
  const fault = await markFault(world);
  await world.redis.start();
  world.startWorker();
  const done = await world.waitForBackfill(backfillId, 180_000);
  await reportRecovery(world, "scenario 2 (Redis back after a SIGTERM with Redis down, new worker)", fault);
  assert.equal(done.status, "completed");
  await assertInvariants(world.db, { backfillIds: [backfillId], reference, partitions: 10 });
});
