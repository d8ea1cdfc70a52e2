import assert from "node:assert/strict";
import { assertAllRunning, type FaultWorld, markFault, midBackfill, reportRecovery } from "./fault-world.js";
import { assertInvariants } from "./invariants.js";

/**
 * The shape of the infrastructure scenarios (Redis, Postgres): server and worker up, a backfill
 * of the 10 default days, the fault injected once 2 partitions committed, then the backfill must
 * complete with every process alive and the invariants holding. Prints the recovery time.
 */
export async function backfillThrough(
  w: FaultWorld,
  scenario: string,
  reference: Record<string, string>,
  inject: (w: FaultWorld) => Promise<void>,
): Promise<void> {
  await w.startServer();
  w.startWorker();
  const backfillId = await w.backfill();
  await midBackfill(w, 2);
  const fault = await markFault(w);
  await inject(w);
  const done = await w.waitForBackfill(backfillId, 180_000);
  await reportRecovery(w, scenario, fault);
  assert.equal(done.status, "completed");
  assertAllRunning(w);
  await assertInvariants(w.db, { backfillIds: [backfillId], reference, partitions: 10 });
}
