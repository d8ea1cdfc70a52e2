import assert from "node:assert/strict";
import { test } from "node:test";
import {
  backfillRunCounts,
  createBackfill,
  createRun,
  finishRun,
  finishScheduleTick,
  getBackfill,
  insertScheduleTick,
  listBackfills,
  listRuns,
  listScheduleStates,
  listScheduleTicks,
  setScheduleEnabled,
  startRun,
  updateBackfill,
} from "../src/index.js";
import { useStore } from "./store-fixture.js";

const { db } = await useStore();

test("a schedule tick is claimed at most once, even by concurrent schedulers", async () => {
  const tickTime = new Date("2024-01-02T03:00:00Z");
  const claims = await Promise.all(
    Array.from({ length: 5 }, () =>
      insertScheduleTick(db, { scheduleName: "nightly", tickTime, partitionKey: "2024-01-01" }),
    ),
  );
  const won = claims.filter((claim) => claim.inserted);
  assert.equal(won.length, 1);
  const [winner] = won;
  assert.ok(winner?.inserted);
  assert.equal(winner.tick.status, "started");
  assert.equal(winner.tick.partitionKey, "2024-01-01");
  assert.equal(winner.tick.tickTime.toISOString(), tickTime.toISOString());

  // Another schedule, or the next instant, is a tick of its own.
  assert.equal((await insertScheduleTick(db, { scheduleName: "hourly", tickTime })).inserted, true);
  assert.equal(
    (await insertScheduleTick(db, { scheduleName: "nightly", tickTime: new Date("2024-01-03T03:00:00Z") })).inserted,
    true,
  );

  const { runId } = await createRun(db, {
    selection: "tag:daily",
    assetKeys: ["daily_trips"],
    partitionsDef: "daily",
    partitionFrom: "2024-01-01",
    partitionTo: "2024-01-01",
    trigger: "schedule",
    steps: [{ assetKey: "daily_trips", partitionFrom: "2024-01-01", partitionTo: "2024-01-01" }],
  });
  assert.equal(await finishScheduleTick(db, { tickId: winner.tick.id, status: "succeeded", runId }), true);
  assert.equal(
    await finishScheduleTick(db, { tickId: "00000000-0000-0000-0000-000000000000", status: "failed" }),
    false,
  );

  const ticks = await listScheduleTicks(db, { scheduleName: "nightly" });
  assert.deepEqual(
    ticks.map((tick) => [tick.tickTime.toISOString(), tick.status, tick.runId]),
    [
      ["2024-01-03T03:00:00.000Z", "started", null],
      ["2024-01-02T03:00:00.000Z", "succeeded", runId],
    ],
  );
  assert.equal((await listScheduleTicks(db)).length, 3);
});

test("schedule states: switched off and on again", async () => {
  assert.deepEqual(await listScheduleStates(db), []);
  assert.equal((await setScheduleEnabled(db, { scheduleName: "nightly", enabled: false })).enabled, false);
  await setScheduleEnabled(db, { scheduleName: "hourly", enabled: false });
  await setScheduleEnabled(db, { scheduleName: "nightly", enabled: true });
  assert.deepEqual(
    (await listScheduleStates(db)).map((state) => [state.scheduleName, state.enabled]),
    [
      ["hourly", false],
      ["nightly", true],
    ],
  );
});

test("backfill: requested → running → completed_with_failures, with its runs counted", async () => {
  const { backfillId } = await createBackfill(db, {
    selection: "+daily_trips",
    assetKeys: ["stg_trips", "daily_trips"],
    partitionsDef: "daily",
    partitionFrom: "2024-01-01",
    partitionTo: "2024-01-03",
    policy: "multi_run",
    maxPartitionsPerRun: 1,
    onlyStatus: "missing_or_failed",
  });
  const requested = await getBackfill(db, backfillId);
  assert.equal(requested?.status, "requested");
  assert.equal(requested?.policy, "multi_run");
  assert.equal(requested?.maxPartitionsPerRun, 1);
  assert.equal(requested?.onlyStatus, "missing_or_failed");

  const runIds: string[] = [];
  for (const key of ["2024-01-01", "2024-01-02", "2024-01-03"]) {
    const { runId } = await createRun(db, {
      selection: "+daily_trips",
      assetKeys: ["stg_trips", "daily_trips"],
      partitionsDef: "daily",
      partitionFrom: key,
      partitionTo: key,
      trigger: "backfill",
      backfillId,
      steps: [{ assetKey: "daily_trips", partitionFrom: key, partitionTo: key }],
    });
    runIds.push(runId);
  }
  const running = await updateBackfill(db, { backfillId, status: "running", partitionCount: 3, runCount: 3 });
  assert.equal(running?.status, "running");
  assert.ok(running?.startedAt instanceof Date);
  assert.equal(running?.finishedAt, null);

  await startRun(db, { runId: runIds[0] as string, workerId: "w" });
  await finishRun(db, { runId: runIds[0] as string, status: "succeeded" });
  await finishRun(db, { runId: runIds[1] as string, status: "failed", errorCode: "E", errorMessage: "m" });
  assert.deepEqual(await backfillRunCounts(db, backfillId), {
    queued: 1,
    running: 0,
    succeeded: 1,
    failed: 1,
    canceled: 0,
  });
  assert.deepEqual(
    (await listRuns(db, { backfillId })).runs.map((run) => run.id),
    [...runIds].reverse(),
  );

  const done = await updateBackfill(db, { backfillId, status: "completed_with_failures" });
  assert.equal(done?.status, "completed_with_failures");
  assert.ok(done?.finishedAt instanceof Date);
  assert.equal(done?.partitionCount, 3);
  // Final means final.
  assert.equal(await updateBackfill(db, { backfillId, status: "running" }), null);
  assert.equal((await getBackfill(db, backfillId))?.status, "completed_with_failures");

  const retry = await createBackfill(db, { selection: "+daily_trips", parentId: backfillId, onlyStatus: "failed" });
  const child = await getBackfill(db, retry.backfillId);
  assert.equal(child?.parentId, backfillId);
  assert.equal(child?.policy, "single_run");
  assert.deepEqual(
    (await listBackfills(db)).map((backfill) => backfill.id),
    [retry.backfillId, backfillId],
  );
  assert.deepEqual(
    (await listBackfills(db, { statuses: ["requested"] })).map((backfill) => backfill.id),
    [retry.backfillId],
  );
});

test("unknown and malformed backfill ids read as missing", async () => {
  assert.equal(await getBackfill(db, "00000000-0000-0000-0000-000000000000"), null);
  assert.equal(await getBackfill(db, "nope"), null);
  assert.equal(await updateBackfill(db, { backfillId: "nope", status: "canceled" }), null);
  assert.deepEqual(await backfillRunCounts(db, "nope"), {
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    canceled: 0,
  });
});

test("the store rejects values outside its closed sets", async () => {
  await assert.rejects(
    createBackfill(db, { selection: "x", maxPartitionsPerRun: 0 }),
    (error: Error & { cause?: { code?: string } }) => error.cause?.code === "23514",
  );
});
