import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultWorld, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";

// Scenario 5: two overlapping backfills requested at the same moment, plus duplicate requests
// for partitions they hold, on two workers. No partition is written by two runs at once (seen
// from pg_stat_activity while it happens), and both backfills complete, each with its own
// partitions materialized exactly once by its own runs.
let world: FaultWorld;
let reference: Record<string, string>;
before(async () => {
  world = await startFaultWorld({ editProject: (dir) => slowDailyMetrics(dir, 0.5) });
  reference = await referenceFingerprints(world.days);
});
after(() => world?.close());

/** Windows of daily_metrics statements running right now, one entry per backend. */
async function windowsInFlight(): Promise<string[]> {
  const { rows } = await world.db.query<{ day: string }>(
    `select substring(query from 'pickup_at >= ''(\\d{4}-\\d{2}-\\d{2})''') as day from pg_stat_activity
     where datname = $1 and state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()`,
    [world.database.name],
  );
  // A null would be a statement whose text pg_stat_activity cut short: fail rather than miss it.
  return rows.map((row) => row.day ?? "unreadable");
}

test("scenario 5: overlapping backfills and duplicate requests — one writer per partition, both complete", async () => {
  await world.startServer();
  world.startWorker();
  world.startWorker();

  // Sample what is being written while everything runs: never the same day twice at once.
  let sampling = true;
  let samples = 0;
  let maxInFlight = 0;
  const collisions: string[][] = [];
  const sampler = (async () => {
    while (sampling) {
      const days = await windowsInFlight().catch((): string[] => []);
      samples++;
      maxInFlight = Math.max(maxInFlight, days.length);
      if (new Set(days).size !== days.length || days.includes("unreadable")) collisions.push(days);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();

  const [wide, narrow] = await Promise.all([
    world.backfill(),
    world.backfill({ from: "2024-01-05", to: "2024-01-10" }),
  ]);
  // The same partitions again, twice at once: they join the run that already holds them.
  const duplicate = { select: "daily_metrics daily_zone_metrics", partition: "2024-01-08" };
  const [first, second] = await Promise.all([
    world.api<{ runId: string; existing: boolean }>("POST", "/api/runs", duplicate),
    world.api<{ runId: string; existing: boolean }>("POST", "/api/runs", duplicate),
  ]);
  assert.equal(first.status, 202);
  assert.equal(second.status, 202);
  assert.equal(first.body.runId, second.body.runId, "duplicate requests share one run");
  assert.ok(first.body.existing && second.body.existing, "both joined a backfill's run");

  const started = performance.now();
  const [wideDone, narrowDone] = await Promise.all([world.waitForBackfill(wide), world.waitForBackfill(narrow)]);
  sampling = false;
  await sampler;
  console.log(
    `recovery: scenario 5 (overlapping backfills + duplicates) both completed ${((performance.now() - started) / 1000).toFixed(1)} s after the duplicates; ${samples} samples of pg_stat_activity, up to ${maxInFlight} partition statements at once`,
  );
  assert.deepEqual(collisions, [], "no day written by two statements at once");
  assert.ok(maxInFlight >= 2, "the workers did write partitions side by side");
  assert.equal(wideDone.status, "completed");
  assert.equal(narrowDone.status, "completed");
  // Attribution: each backfill counts its own partitions, all materialized.
  assert.equal(wideDone.counts.materialized, wideDone.counts.total);
  assert.equal(narrowDone.counts.materialized, narrowDone.counts.total);
  const { rows: joined } = await world.db.query<{ backfill_id: string }>(
    "select backfill_id from almanac.runs where id = $1",
    [first.body.runId],
  );
  assert.ok([wide, narrow].includes(joined[0]?.backfill_id ?? ""), "the duplicates ran as part of a backfill");

  // Each backfill: its partitions once each (the narrow one 6 days; the invariant checks 10
  // for the wide one and at least the days it requested for the narrow one).
  await assertInvariants(world.db, { backfillIds: [wide], reference, partitions: 10 });
  const { rows: narrowSteps } = await world.db.query(
    `select s.asset_key, count(*)::int as n, count(distinct s.partition_from)::int as days
     from almanac.run_steps s join almanac.runs r on r.id = s.run_id
     where r.backfill_id = $1 and s.status = 'succeeded' and s.partition_from is not null group by 1 order by 1`,
    [narrow],
  );
  assert.deepEqual(narrowSteps, [
    { asset_key: "daily_metrics", n: 6, days: 6 },
    { asset_key: "daily_zone_metrics", n: 6, days: 6 },
  ]);
});
