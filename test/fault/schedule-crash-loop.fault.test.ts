import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type FaultWorld, startFaultWorld } from "./harness/fault-world.js";
import { assertNothingStuck, exampleTables, fingerprints, referenceFingerprints } from "./harness/invariants.js";

// Scenario 8: the process that runs the schedules crash-loops. The example's `nightly` schedule
// (03:00 UTC, `+tag:daily`) missed the last 3 days' ticks, so every `almanac serve` start fires
// them in its catch-up. The server is SIGKILLed at points spread over its startup six times,
// then left up. Each tick's partition must be launched by exactly one run, and built once.
const catchUpDays = 3;
const killAfterMs = [250, 600, 900, 1_200, 1_600, 2_200];
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
let world: FaultWorld;

before(async () => {
  // Trips for every day catch-up can target (a day more on each side for clock edges).
  world = await startFaultWorld({ days: { from: day(-catchUpDays - 2), to: day(0), rowsPerDay: 200 } });
});
after(() => world?.close());

test("scenario 8: a crash-looping schedule process launches each tick's partition exactly once", async () => {
  world.startWorker();
  const env = { ALMANAC_SCHEDULE_CATCHUP_DAYS: String(catchUpDays) };
  const loopStarted = performance.now();
  // Twice the moment a tick is claimed: mid-tick, between the claim and its run.
  for (let i = 0; i < 2; i++) {
    const count = async () =>
      (await world.db.query<{ n: number }>("select count(*)::int as n from almanac.schedule_ticks")).rows[0]?.n ?? 0;
    const claimed = await count();
    let up = false;
    const server = world.startServer(env).then(
      () => {
        up = true;
      },
      () => undefined,
    );
    const crashed = world.processes.at(-1);
    assert.ok(crashed);
    // Until a new claim shows, or the server is up having claimed nothing new.
    while (crashed.running && !up && (await count()) === claimed) await sleep(5);
    await crashed.stop("SIGKILL");
    await server;
  }
  // Then at points spread over startup.
  for (const ms of killAfterMs) {
    const server = world.startServer(env).catch(() => undefined);
    await sleep(ms);
    const crashed = world.processes.at(-1);
    assert.ok(crashed);
    await crashed.stop("SIGKILL");
    await server;
  }
  const { rows: left } = await world.db.query(
    "select status, (run_id is not null) as has_run, count(*)::int as n from almanac.schedule_ticks group by 1, 2 order by 1, 2",
  );
  console.log(`scenario 8: ticks left by the crashed processes: ${JSON.stringify(left)}`);
  const upAt = performance.now();
  await world.startServer(env);

  // Done when every claimed tick has its run and no run is left to execute.
  const ticks = await world.waitFor("every tick's run to finish", async () => {
    const { rows } = await world.db.query<{ partition_key: string; status: string; run_id: string | null }>(
      `select partition_key, status, run_id from almanac.schedule_ticks where status = 'started' order by 1`,
    );
    const { rows: open } = await world.db.query(
      "select 1 from almanac.runs where status in ('queued', 'running') limit 1",
    );
    return rows.length > 0 && rows.every((row) => row.run_id !== null) && open.length === 0 && rows;
  });
  const keys = ticks.map((tick) => tick.partition_key);
  console.log(
    `recovery: scenario 8 (schedule process SIGKILLed ${killAfterMs.length + 2} times during startup) ticks ${keys.join(", ")} all ran ${((performance.now() - upAt) / 1000).toFixed(1)} s after the last start (${((performance.now() - loopStarted) / 1000).toFixed(1)} s after the first)`,
  );
  assert.equal(keys.length, catchUpDays, `one claimed tick per missed day: ${keys.join(", ")}`);
  assert.equal(new Set(keys).size, keys.length, "one claim per partition");

  // One run per partition, succeeded; each partition built once.
  const { rows: runs } = await world.db.query(
    `select partition_from as partition_key, status, count(*)::int as n from almanac.runs
     where trigger = 'schedule' group by 1, 2 order by 1`,
  );
  assert.deepEqual(
    runs,
    keys.map((key) => ({ partition_key: key, status: "succeeded", n: 1 })),
  );
  const { rows: built } = await world.db.query(
    `select asset_key, partition_key, status, materialization_count from almanac.asset_partitions
     where asset_key in ('daily_metrics', 'daily_zone_metrics') order by 1, 2`,
  );
  assert.deepEqual(
    built,
    ["daily_metrics", "daily_zone_metrics"].flatMap((asset) =>
      keys.map((key) => ({ asset_key: asset, partition_key: key, status: "materialized", materialization_count: 1 })),
    ),
  );
  await assertNothingStuck(world.db);

  // The partitions hold what a fault-free run of those days writes.
  const inTicks = (table: "daily_metrics" | "daily_zone_metrics") => ({
    relation: `(select * from public.${table} where date between '${keys[0]}' and '${keys.at(-1)}')`,
    orderBy: exampleTables[table]?.orderBy ?? "1",
  });
  const tables = { daily_metrics: inTicks("daily_metrics"), daily_zone_metrics: inTicks("daily_zone_metrics") };
  const reference = await referenceFingerprints(
    { from: keys[0] ?? "", to: keys.at(-1) ?? "", rowsPerDay: world.days.rowsPerDay },
    tables,
  );
  assert.deepEqual(await fingerprints(world.db, tables), reference);
});
