import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { backfillThrough } from "./harness/backfill-through.js";
import { type FaultWorld, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { referenceFingerprints } from "./harness/invariants.js";
import { startTestCluster, type TestCluster } from "./harness/postgres-cluster.js";

// Scenario 4: Postgres connections terminated (pg_terminate_backend) and Postgres crashed and
// restarted, mid-backfill. No process crashes, retryable errors are retried, and no partition is
// marked materialized without its data (the tables equal a fault-free run's).
let world: FaultWorld | undefined;
const clusters: TestCluster[] = [];
let reference: Record<string, string>;
before(async () => {
  reference = await referenceFingerprints({ from: "2024-01-01", to: "2024-01-10", rowsPerDay: 300 });
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});
after(async () => {
  for (const cluster of clusters) await cluster.database.drop();
});

async function throughPostgresFault(label: string, inject: (w: FaultWorld) => Promise<void>): Promise<void> {
  const w = world;
  assert.ok(w);
  await backfillThrough(w, `scenario 4 (${label})`, reference, inject);
  const { rows } = await w.db.query("select count(*)::int as n from almanac.runs where attempt > 1");
  console.log(`scenario 4 (${label}): ${rows[0]?.n} run(s) needed another attempt`);
}

test("scenario 4a: every Almanac connection terminated three times mid-backfill", async () => {
  world = await startFaultWorld({ editProject: (dir) => slowDailyMetrics(dir, 1) });
  await throughPostgresFault("pg_terminate_backend x3", async (w) => {
    let terminated = 0;
    for (let round = 0; round < 3; round++) {
      const { rows } = await w.db.query<{ n: number }>(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()`,
        [w.database.name],
      );
      terminated += rows[0]?.n ?? 0;
      await sleep(1_000);
    }
    console.log(`scenario 4a: ${terminated} backends terminated`);
    assert.ok(terminated >= 3, "there were connections to terminate");
  });
});

test("scenario 4b: Postgres crashed (pg_ctl stop -m immediate) and restarted mid-backfill", async () => {
  const c = await startTestCluster();
  clusters.push(c);
  world = await startFaultWorld({ database: c.database, editProject: (dir) => slowDailyMetrics(dir, 1) });
  await throughPostgresFault("Postgres crashed and restarted after 3 s", async () => {
    await c.crash();
    await sleep(3_000);
    await c.start();
  });
});

test("scenario 4c: Postgres stopped for 15 s mid-backfill (pg_ctl stop -m fast), then started", async () => {
  const c = await startTestCluster();
  clusters.push(c);
  world = await startFaultWorld({ database: c.database, editProject: (dir) => slowDailyMetrics(dir, 1) });
  await throughPostgresFault("Postgres stopped for 15 s", async () => {
    await c.stop();
    await sleep(15_000);
    await c.start();
  });
});
