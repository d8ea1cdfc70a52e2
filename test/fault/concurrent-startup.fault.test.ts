import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { createTestDatabase, repoRoot } from "@almanac/testing";
import { waitForHealth } from "./harness/almanac-process.js";
import { assertAllRunning, type FaultWorld, startFaultWorld } from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";

// Scenario 7: a server and three workers started at the same instant on an empty database (no
// store schema): the migrations are applied once, every process comes up, and it all works.
let world: FaultWorld;
let reference: Record<string, string>;
before(async () => {
  world = await startFaultWorld({ database: await createTestDatabase({ template: "empty" }) });
  reference = await referenceFingerprints(world.days);
});
after(async () => {
  await world?.close();
  await world?.database.drop();
});

test("scenario 7: server and workers starting together on an empty database run the migrations once", async () => {
  const { rows: before } = await world.db.query("select 1 from pg_namespace where nspname = 'almanac'");
  assert.deepEqual(before, [], "the store schema does not exist yet");
  const journal = JSON.parse(
    await readFile(path.join(repoRoot, "packages/store/migrations/meta/_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };

  const started = performance.now();
  // Spawned together, before anything waits: all four race to migrate.
  const server = world.startServer();
  const workers = [world.startWorker(), world.startWorker(), world.startWorker()];
  await server;
  const serverProcess = world.processes.find((p) => p.name.startsWith("serve"));
  assert.ok(serverProcess);
  await waitForHealth(world.base, serverProcess);
  await world.waitFor("every worker ready", async () => workers.every((w) => w.output().includes("worker ready")));
  console.log(
    `recovery: scenario 7 (server + 3 workers on an empty database) all up ${((performance.now() - started) / 1000).toFixed(1)} s after spawning`,
  );
  assertAllRunning(world);

  const { rows: applied } = await world.db.query<{ n: number; hashes: number }>(
    "select count(*)::int as n, count(distinct hash)::int as hashes from almanac.__drizzle_migrations",
  );
  assert.deepEqual(applied, [{ n: journal.entries.length, hashes: journal.entries.length }], "each migration once");

  const backfillId = await world.backfill();
  assert.equal((await world.waitForBackfill(backfillId)).status, "completed");
  await assertInvariants(world.db, { backfillIds: [backfillId], reference, partitions: 10 });
});
