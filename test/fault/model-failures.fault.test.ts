import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { editFile } from "@almanac/testing";
import { assertAllRunning, type FaultWorld, startFaultWorld } from "./harness/fault-world.js";
import { assertNothingStuck, exampleTables, fingerprints, referenceFingerprints } from "./harness/invariants.js";

// Scenario 6: a model with a runtime SQL error (daily_zone_metrics divides by zero on
// 2024-01-04) and a model that hangs (daily_metrics sleeps an hour on 2024-01-07), with the step
// timeout at 3 s. Both fail, neither is retried forever, and every other partition is built.
const brokenDay = "2024-01-04";
const hungDay = "2024-01-07";
let world: FaultWorld;
let reference: Record<string, string>;
// The days that neither fault touches, compared with a fault-free run.
const healthyTables = {
  daily_metrics: { relation: `(select * from public.daily_metrics where date <> '${hungDay}')`, orderBy: "date" },
  daily_zone_metrics: {
    relation: `(select * from public.daily_zone_metrics where date <> '${brokenDay}')`,
    orderBy: exampleTables.daily_zone_metrics?.orderBy ?? "1",
  },
};

before(async () => {
  world = await startFaultWorld({
    env: { ALMANAC_STEP_TIMEOUT_MS: "3000" },
    editProject: async (dir) => {
      await editFile(
        path.join(dir, "models/marts/daily_metrics.sql"),
        "from {{ ref('stg_trips') }}",
        `from {{ ref('stg_trips') }} cross join (select pg_sleep(case when '{{ var("min_date") }}' = '${hungDay}' then 3600 else 0 end)) as pause`,
      );
      await editFile(
        path.join(dir, "models/marts/daily_zone_metrics.sql"),
        "count(*)::bigint as trip_count",
        `(count(*) / (case when '{{ var("min_date") }}' = '${brokenDay}' then 0 else 1 end))::bigint as trip_count`,
      );
    },
  });
  reference = await referenceFingerprints(world.days, healthyTables);
});
after(() => world?.close());

test("scenario 6: a SQL error and a hang fail their partitions once; the other partitions are built", async () => {
  await world.startServer();
  world.startWorker();
  const started = performance.now();
  const backfillId = await world.backfill();
  const done = await world.waitForBackfill(backfillId, 120_000);
  console.log(
    `recovery: scenario 6 (runtime SQL error + hang, 3 s step timeout) backfill finished ${((performance.now() - started) / 1000).toFixed(1)} s after it was requested`,
  );
  assert.equal(done.status, "completed_with_failures");

  const { rows: failed } = await world.db.query(
    `select asset_key, partition_key, error_code from almanac.asset_partitions where status = 'failed' order by 1, 2`,
  );
  assert.deepEqual(failed, [
    { asset_key: "daily_metrics", partition_key: hungDay, error_code: "ALMANAC_STEP_TIMEOUT" },
    { asset_key: "daily_zone_metrics", partition_key: brokenDay, error_code: "ALMANAC_MODEL_SQL_ERROR" },
    // The summary reads every daily_zone_metrics partition: never built on incomplete input.
    { asset_key: "zone_summary", partition_key: "", error_code: "ALMANAC_UPSTREAM_FAILED" },
  ]);
  const { rows: messages } = await world.db.query<{ error_message: string }>(
    `select error_message from almanac.asset_partitions where status = 'failed' and asset_key <> 'zone_summary' order by asset_key`,
  );
  assert.match(messages[0]?.error_message ?? "", /step timeout of 3000 ms/);
  assert.match(messages[1]?.error_message ?? "", /division by zero \(SQLSTATE 22012\)/);
  const { rows: built } = await world.db.query(
    `select asset_key, count(*)::int as n from almanac.asset_partitions where status = 'materialized'
     and asset_key in ('daily_metrics', 'daily_zone_metrics') group by 1 order by 1`,
  );
  assert.deepEqual(built, [
    { asset_key: "daily_metrics", n: 9 },
    { asset_key: "daily_zone_metrics", n: 9 },
  ]);

  // Not retried: each failing step started once, and stays failed through more reconciler passes.
  const startedSteps = async () =>
    (
      await world.db.query(
        `select message, count(*)::int as n from almanac.run_events
         where message in ($1, $2) group by 1 order by 1`,
        [`daily_metrics [${hungDay}]: started`, `daily_zone_metrics [${brokenDay}]: started`],
      )
    ).rows;
  const once = [
    { message: `daily_metrics [${hungDay}]: started`, n: 1 },
    { message: `daily_zone_metrics [${brokenDay}]: started`, n: 1 },
  ];
  assert.deepEqual(await startedSteps(), once);
  await sleep(5_000);
  assert.deepEqual(await startedSteps(), once, "still once after five more reconciler passes");
  const { rows: attempts } = await world.db.query("select max(attempt)::int as max from almanac.runs");
  assert.equal(attempts[0]?.max, 1, "every run executed by its first attempt");

  await assertNothingStuck(world.db);
  assert.deepEqual(await fingerprints(world.db, healthyTables), reference, "healthy days as in a fault-free run");
  assertAllRunning(world);
});
