import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { backfillThrough } from "./harness/backfill-through.js";
import { type FaultWorld, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { referenceFingerprints } from "./harness/invariants.js";
import { type SentinelRedis, startSentinelRedis } from "./harness/redis-sentinel.js";

// Scenario 3d: Redis behind Sentinel (REDIS_URL=redis-sentinel://…/almanac). The primary is
// SIGKILLed mid-backfill; the sentinel promotes the replica, and the server and worker follow
// it without a restart. Replication is asynchronous, so the last jobs may be lost with the
// primary: Postgres is the truth and the reconciler hands them over again.
let sentinel: SentinelRedis | undefined;
let world: FaultWorld | undefined;
let reference: Record<string, string>;
before(async () => {
  reference = await referenceFingerprints({ from: "2024-01-01", to: "2024-01-10", rowsPerDay: 300 });
});
after(async () => {
  await world?.close();
  await sentinel?.close();
});

test("scenario 3d: Redis primary killed behind Sentinel mid-backfill: the replica is promoted and followed", async () => {
  sentinel = await startSentinelRedis();
  const s = sentinel;
  world = await startFaultWorld({ env: { REDIS_URL: s.url }, editProject: (dir) => slowDailyMetrics(dir, 1) });
  await backfillThrough(world, "scenario 3d (Redis primary killed, Sentinel failover)", reference, async (w) => {
    // The processes found the primary through the sentinel, not the world's own Redis.
    assert.equal(await w.redis.keyCount(w.prefix), 0);
    const before = await s.currentPrimaryPort();
    await s.primary.kill();
    const promoted = await s.waitForFailover();
    assert.notEqual(promoted, before);
    console.log(`scenario 3d: sentinel promoted the replica on port ${promoted} (primary was ${before})`);
  });
});
