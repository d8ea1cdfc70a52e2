import assert from "node:assert/strict";
import { test } from "node:test";
import {
  claimNotificationDeliveries,
  claimOverduePartition,
  completeBackfill,
  createBackfill,
  createRun,
  finishRun,
  listNotificationDeliveries,
  nextDeliveryDueMs,
  recordCheckResults,
  recordDeliveryOutcome,
  startRun,
} from "../src/index.js";
import { useStore } from "./store-fixture.js";

// The outbox rows each recorded event writes in its own statement, and the claim/outcome cycle
// the servers' delivery loops run on them.
const { db, pool } = await useStore();

const outbox = async () =>
  (
    await pool.query<{ notification: string; event_type: string; payload: Record<string, unknown> }>(
      "select notification, event_type, payload from almanac.notification_outbox order by id",
    )
  ).rows;
const clear = () => pool.query("delete from almanac.notification_outbox");

const run = {
  selection: "daily_trips",
  assetKeys: ["daily_trips"],
  partitionsDef: "daily",
  partitionFrom: "2024-01-01",
  partitionTo: "2024-01-02",
  trigger: "api",
  steps: [{ assetKey: "daily_trips", partitionFrom: "2024-01-01", partitionTo: "2024-01-02" }],
} as const;

test("a failed run writes one run_failed row per subscribed notification; a succeeded one none", async () => {
  await clear();
  const ok = await createRun(db, run);
  await startRun(db, { runId: ok.runId, workerId: "w" });
  assert.equal(await finishRun(db, { runId: ok.runId, status: "succeeded", notify: ["ops", "pager"] }), true);
  assert.deepEqual(await outbox(), []);

  const bad = await createRun(db, run);
  await startRun(db, { runId: bad.runId, workerId: "w" });
  const failed = { runId: bad.runId, status: "failed", errorCode: "ALMANAC_MODEL_SQL_ERROR", errorMessage: "boom" };
  assert.equal(await finishRun(db, { ...failed, status: "failed", notify: ["ops", "pager"] }), true);
  // A second finish of a final run changes nothing, so it writes nothing either.
  assert.equal(await finishRun(db, { ...failed, status: "failed", notify: ["ops", "pager"] }), false);
  const rows = await outbox();
  assert.deepEqual(
    rows.map((row) => [row.notification, row.event_type]),
    [
      ["ops", "run_failed"],
      ["pager", "run_failed"],
    ],
  );
  assert.deepEqual(rows[0]?.payload, {
    runId: bad.runId,
    backfillId: null,
    trigger: "api",
    assets: ["daily_trips"],
    partitionsDef: "daily",
    partitionFrom: "2024-01-01",
    partitionTo: "2024-01-02",
    error: { code: "ALMANAC_MODEL_SQL_ERROR", message: "boom" },
  });
});

test("a backfill's completion writes backfill_completed once, with its runs per status", async () => {
  await clear();
  const { backfillId } = await createBackfill(db, { selection: "daily_trips", assetKeys: ["daily_trips"] });
  const { runId } = await createRun(db, { ...run, trigger: "backfill", backfillId });
  await startRun(db, { runId, workerId: "w" });
  await finishRun(db, { runId, status: "failed" });
  const done = await completeBackfill(db, { backfillId, status: "completed_with_failures", notify: ["ops"] });
  assert.equal(done?.status, "completed_with_failures");
  assert.ok(done?.startedAt && done.finishedAt);
  assert.equal(await completeBackfill(db, { backfillId, status: "completed", notify: ["ops"] }), null);
  const rows = await outbox();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.event_type, "backfill_completed");
  assert.deepEqual(rows[0]?.payload.runs, { succeeded: 0, failed: 1, canceled: 0, total: 1 });
  assert.equal(rows[0]?.payload.status, "completed_with_failures");
});

test("failed checks write one check_failed row per asset and run; passing and warning ones none", async () => {
  await clear();
  const base = { assetKey: "daily_trips", severity: "error", failures: 0, message: null, runId: null } as const;
  await recordCheckResults(db, [{ ...base, partitionKey: "2024-01-01", checkName: "a", status: "passed" }], ["ops"]);
  await recordCheckResults(
    db,
    [{ ...base, partitionKey: "2024-01-01", checkName: "b", status: "warned", severity: "warn" }],
    ["ops"],
  );
  assert.deepEqual(await outbox(), []);
  const written = await recordCheckResults(
    db,
    [
      { ...base, partitionKey: "2024-01-01", checkName: "a", status: "failed", failures: 3 },
      { ...base, partitionKey: "2024-01-02", checkName: "a", status: "failed", failures: 1 },
      { ...base, partitionKey: "2024-01-02", checkName: "b", status: "passed" },
    ],
    ["ops"],
  );
  assert.equal(written, 3);
  const rows = await outbox();
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]?.payload, {
    runId: null,
    assets: ["daily_trips"],
    partitionFrom: "2024-01-01",
    partitionTo: "2024-01-02",
    checks: [
      { name: "a", partition: "2024-01-01", failures: 3, message: null },
      { name: "a", partition: "2024-01-02", failures: 1, message: null },
    ],
  });
});

test("an overdue partition is claimed once, by one of several concurrent claims", async () => {
  await clear();
  const claim = {
    assetKey: "daily_trips",
    partitionKey: "2024-01-05",
    windowEnd: new Date("2024-01-06T00:00:00Z"),
    deadline: new Date("2024-01-07T02:00:00Z"),
    maxLag: "26h",
    notify: ["ops"],
  };
  const claims = await Promise.all([1, 2, 3, 4].map(() => claimOverduePartition(db, claim)));
  assert.deepEqual(claims.filter(Boolean).length, 1);
  const rows = await outbox();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.payload.deadline, "2024-01-07T02:00:00+00:00");
});

test("deliveries: concurrent claims take each row once; retry, delivered and failed outcomes; paging", async () => {
  await clear();
  for (const key of ["a", "b", "c"]) {
    await claimOverduePartition(db, {
      assetKey: key,
      partitionKey: "2024-01-01",
      windowEnd: new Date(),
      deadline: new Date(),
      maxLag: "1h",
      notify: ["ops"],
    });
  }
  const claims = await Promise.all([1, 2, 3].map(() => claimNotificationDeliveries(db, { limit: 2, leaseMs: 60_000 })));
  const ids = claims.flat().map((row) => row.id);
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(await claimNotificationDeliveries(db, { limit: 10, leaseMs: 60_000 }), []);
  const [first, second, third] = claims.flat().sort((x, y) => x.id - y.id);
  assert.ok(first && second && third);
  assert.equal(first.attempt, 1);

  assert.ok(await recordDeliveryOutcome(db, first.id, 1, { kind: "delivered", httpStatus: 204 }));
  assert.ok(
    await recordDeliveryOutcome(db, second.id, 1, { kind: "retry", retryInMs: 0, httpStatus: 500, error: "HTTP 500" }),
  );
  // A stale attempt's answer does not overwrite the newer one.
  const [again] = await claimNotificationDeliveries(db, { limit: 10, leaseMs: 60_000 });
  assert.equal(again?.id, second.id);
  assert.equal(again?.attempt, 2);
  assert.equal(
    await recordDeliveryOutcome(db, second.id, 1, { kind: "failed", httpStatus: null, error: "late" }),
    false,
  );
  assert.ok(await recordDeliveryOutcome(db, third.id, 1, { kind: "failed", httpStatus: 410, error: "HTTP 410" }));
  const due = await nextDeliveryDueMs(db);
  assert.ok(due !== null && due > 50_000, `the leased row is due in about a minute, got ${due}`);

  const page1 = await listNotificationDeliveries(db, { limit: 2 });
  assert.deepEqual(
    page1.deliveries.map((row) => [row.id, row.status]),
    [
      [third.id, "failed"],
      [second.id, "pending"],
    ],
  );
  assert.ok(page1.nextCursor);
  const page2 = await listNotificationDeliveries(db, { limit: 2, cursor: page1.nextCursor });
  assert.deepEqual(
    page2.deliveries.map((row) => [row.id, row.status, row.lastStatus, row.attempts]),
    [[first.id, "delivered", 204, 1]],
  );
  assert.equal(page2.nextCursor, null);
  assert.deepEqual(
    (await listNotificationDeliveries(db, { status: "failed" })).deliveries.map((row) => row.lastError),
    ["HTTP 410"],
  );
  await assert.rejects(listNotificationDeliveries(db, { cursor: "x1" }), { code: "ALMANAC_BAD_REQUEST" });
});
