import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type FaultWorld,
  markFault,
  midBackfill,
  reportRecovery,
  slowDailyMetrics,
  startFaultWorld,
} from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";

// Scenario 1: a worker killed with SIGKILL while a partition's SQL runs; a new worker starts.
let world: FaultWorld;
let reference: Record<string, string>;
before(async () => {
  world = await startFaultWorld({ editProject: (dir) => slowDailyMetrics(dir, 1.5) });
  reference = await referenceFingerprints(world.days);
});
after(() => world?.close());

test("scenario 1: a worker killed mid-SQL loses nothing and doubles nothing once a new worker starts", async () => {
  await world.startServer();
  const first = world.startWorker();
  const backfillId = await world.backfill();

  // Mid-backfill and mid-statement: some partitions done, a daily_metrics query sleeping.
  await midBackfill(world);
  const fault = await markFault(world);
  assert.equal(await first.stop("SIGKILL"), "SIGKILL");
  world.startWorker();

  const done = await world.waitForBackfill(backfillId, 180_000);
  await reportRecovery(world, "scenario 1 (SIGKILL worker mid-SQL, new worker)", fault);
  assert.equal(done.status, "completed");
  const { rows } = await world.db.query("select count(*)::int as n from almanac.runs where attempt > 1");
  assert.ok(rows[0].n >= 1, "the killed worker's run was picked up again by another attempt");
  await assertInvariants(world.db, { backfillIds: [backfillId], reference, partitions: 10 });
});
