import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { assertAllRunning, defaultDays, secondsSince, slowDailyMetrics } from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";
import { type MultiHostWorld, startMultiHostWorld } from "./harness/multi-host-world.js";
import {
  bothLinks,
  netemUnavailable,
  networkHostsUnavailable,
  removeLeftoverHosts,
  removeNetworkHosts,
} from "./harness/network-hosts.js";

// Scenario 10 (issue 17): two workers on hosts of their own whose links to Postgres and Redis
// are slow and lossy, `tc netem delay 100ms 50ms loss 1%` on both ends of every link: a round
// trip of 200 ms ± 100 ms and 1% loss each way. The backfill must complete, exactly once, and
// the throughput is reported against the same backfill on clean links.
const unavailable = (await networkHostsUnavailable()) ?? (await netemUnavailable());
const days = defaultDays;
/** Partition steps of one backfill of the two marts over `days`. */
const martPartitions = 20;

let hosted: MultiHostWorld | undefined;
let reference: Record<string, string>;
before(async () => {
  if (unavailable) return;
  await removeLeftoverHosts();
  reference = await referenceFingerprints(days);
});
afterEach(async () => {
  await hosted?.close();
  hosted = undefined;
});
after(() => removeNetworkHosts().catch(() => undefined));

test("scenario 10: 200 ms ± 100 ms round trips and 1% loss between workers and services", {
  skip: unavailable,
}, async () => {
  hosted = await startMultiHostWorld(2, { days, editProject: (dir) => slowDailyMetrics(dir, 0.5) });
  const { world: w, hosts } = hosted;
  await w.startServer();
  for (const host of hosts) w.startWorker({}, { host });

  const timed = async () => {
    const started = performance.now();
    const id = await w.backfill();
    const done = await w.waitForBackfill(id, 300_000);
    assert.equal(done.status, "completed");
    return { id, seconds: Number(secondsSince(started)) };
  };
  const clean = await timed();
  for (const host of hosts) await host.netem(bothLinks, "delay 100ms 50ms loss 1%");
  const slow = await timed();
  const rate = (s: number) => (martPartitions / s).toFixed(2);
  console.log(
    `throughput: scenario 10 clean links ${clean.seconds} s (${rate(clean.seconds)} partitions/s), ` +
      `200±100 ms RTT + 1% loss ${slow.seconds} s (${rate(slow.seconds)} partitions/s)`,
  );
  assertAllRunning(w);
  await assertInvariants(w.db, { backfillIds: [clean.id, slow.id], reference, partitions: 10 });
});
