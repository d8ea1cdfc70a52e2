import assert from "node:assert/strict";
import { afterEach, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { backfillThrough } from "./harness/backfill-through.js";
import { type FaultWorld, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { referenceFingerprints } from "./harness/invariants.js";

// Scenario 3: Redis restarted with AOF, flushed, and restarted without persistence, each in the
// middle of a backfill. Postgres is the truth: what Redis lost, the reconciler hands over again.
let world: FaultWorld | undefined;
let reference: Record<string, string>;
before(async () => {
  reference = await referenceFingerprints({ from: "2024-01-01", to: "2024-01-10", rowsPerDay: 300 });
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function throughRedisFault(aof: boolean, label: string, inject: (w: FaultWorld) => Promise<void>) {
  world = await startFaultWorld({ aof, editProject: (dir) => slowDailyMetrics(dir, 1) });
  await backfillThrough(world, `scenario 3 (${label})`, reference, inject);
}

test("scenario 3a: Redis restarted with AOF mid-backfill: the queue survives, nothing lost or doubled", async () => {
  await throughRedisFault(true, "Redis restarted with AOF", async (w) => {
    await w.redis.stop();
    await sleep(2_000);
    await w.redis.start();
    assert.ok((await w.redis.keyCount(w.prefix)) > 0, "AOF kept the queue");
  });
});

test("scenario 3b: Redis flushed mid-backfill: the reconciler rebuilds the queue from Postgres", async () => {
  await throughRedisFault(false, "Redis FLUSHALL", async (w) => {
    await w.redis.flush();
  });
});

test("scenario 3c: Redis restarted without persistence mid-backfill: the reconciler rebuilds the queue", async () => {
  await throughRedisFault(false, "Redis restarted empty", async (w) => {
    await w.redis.kill();
    await sleep(2_000);
    await w.redis.start();
  });
});
