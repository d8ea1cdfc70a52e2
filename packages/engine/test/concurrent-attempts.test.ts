import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { executeRun, materializeSelection, requestRun } from "@almanac/engine";
import { copyProject, editFile } from "@almanac/testing";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// Regression: one run executed by two attempts at once — BullMQ's stalled-job check re-delivers
// the job of a worker that died while the reconciler's takeover enqueued a new attempt — wrote a
// partition twice: the newer attempt waited for the older one's partition lock, then wrote the
// step the older one had just committed.
const now = new Date("2024-06-01T00:00:00Z");
let f: EngineFixture;

before(async () => {
  const projectDir = await copyProject("nyc_taxi");
  await editFile(
    path.join(projectDir, "models/marts/daily_metrics.sql"),
    "from {{ ref('stg_trips') }}",
    "from {{ ref('stg_trips') }} cross join (select pg_sleep(1)) as pause",
  );
  f = await engineFixture(projectDir);
  await generateTrips({ databaseUrl: f.database.url, from: "2024-01-01", to: "2024-01-02", rowsPerDay: 50 });
  await materializeSelection(f.ctx, { select: "stg_trips" }, { now });
});
after(() => f.close());

test("a second attempt that starts while the first writes a step does not write it again", async () => {
  const { runId } = await requestRun(
    f.ctx,
    { select: "daily_metrics", partition: "2024-01-02" },
    { now, trigger: "api" },
  );
  const first = executeRun(f.ctx, runId, { workerId: "first" });
  // The first attempt is inside the step's SQL.
  for (
    let i = 0;
    (
      await f.query(
        "select 1 from pg_stat_activity where state = 'active' and query like '%pg_sleep(1)%' and pid <> pg_backend_pid()",
      )
    ).length === 0;
    i++
  ) {
    assert.ok(i < 200, "the first attempt never reached its SQL");
    await sleep(25);
  }
  const second = executeRun(f.ctx, runId, { workerId: "second" });
  const [firstOutcome, secondOutcome] = await Promise.allSettled([first, second]);
  assert.equal(secondOutcome.status, "fulfilled", String((secondOutcome as PromiseRejectedResult).reason));
  assert.equal(secondOutcome.value.status, "succeeded");
  // The first attempt was taken over: its outcome is not recorded.
  assert.ok(firstOutcome.status === "rejected" || firstOutcome.value.status === "succeeded");

  const [partition] = await f.query<{ status: string; materialization_count: number }>(
    "select status, materialization_count from almanac.asset_partitions where asset_key = 'daily_metrics' and partition_key = '2024-01-02'",
  );
  assert.deepEqual(partition, { status: "materialized", materialization_count: 1 }, "written once");
  const [run] = await f.query<{ status: string }>("select status from almanac.runs where id = $1", [runId]);
  assert.equal(run?.status, "succeeded");
});
