import assert from "node:assert/strict";
import { test } from "node:test";
import {
  appendRunEvents,
  createRun,
  finishRun,
  finishStep,
  getRun,
  heartbeatRun,
  listRunEvents,
  listRuns,
  listUnfinishedRuns,
  requestRunCancel,
  startRun,
  startStep,
} from "../src/index.js";
import { useStore } from "./store-fixture.js";

const { db } = await useStore();

const twoStepRun = {
  selection: "+daily_trips",
  assetKeys: ["stg_trips", "daily_trips"],
  partitionsDef: "daily",
  partitionFrom: "2024-01-01",
  partitionTo: "2024-01-22",
  trigger: "api",
  steps: [
    { assetKey: "stg_trips" },
    { assetKey: "daily_trips", partitionFrom: "2024-01-01", partitionTo: "2024-01-22" },
  ],
} as const;

test("run lifecycle: queued → running → succeeded, with steps in order", async () => {
  const { runId } = await createRun(db, twoStepRun);
  const queued = await getRun(db, runId);
  assert.ok(queued);
  assert.equal(queued.status, "queued");
  assert.equal(queued.attempt, 0);
  assert.deepEqual(queued.assetKeys, ["stg_trips", "daily_trips"]);
  assert.deepEqual(
    queued.steps.map((step) => [step.idx, step.assetKey, step.kind, step.status, step.partitionFrom, step.partitionTo]),
    [
      [0, "stg_trips", "model", "queued", null, null],
      [1, "daily_trips", "model", "queued", "2024-01-01", "2024-01-22"],
    ],
  );

  const started = await startRun(db, { runId, workerId: "worker-1" });
  assert.ok(started);
  assert.equal(started.status, "running");
  assert.equal(started.attempt, 1);
  assert.equal(started.workerId, "worker-1");
  assert.ok(started.startedAt instanceof Date && started.heartbeatAt instanceof Date);
  assert.deepEqual(await heartbeatRun(db, { runId, attempt: 1 }), { cancelRequested: false });

  for (const idx of [0, 1]) {
    assert.equal(await startStep(db, { runId, idx }), true);
    assert.equal(
      await finishStep(db, {
        runId,
        idx,
        status: "succeeded",
        rowsWritten: 10 * idx,
        rowsDeleted: idx,
        renderedSql: "select 1",
      }),
      true,
    );
  }
  assert.equal(await finishRun(db, { runId, status: "succeeded", attempt: 1 }), true);

  const done = await getRun(db, runId);
  assert.ok(done);
  assert.equal(done.status, "succeeded");
  assert.ok(done.finishedAt instanceof Date);
  assert.deepEqual(
    done.steps.map((step) => [step.status, step.rowsWritten, step.rowsDeleted, step.renderedSql]),
    [
      ["succeeded", 0, 0, "select 1"],
      ["succeeded", 10, 1, "select 1"],
    ],
  );
  // Final means final: a second finish and a late start change nothing.
  assert.equal(await finishRun(db, { runId, status: "failed" }), false);
  assert.equal(await startRun(db, { runId, workerId: "worker-2" }), null);
  assert.equal((await getRun(db, runId))?.status, "succeeded");
});

test("a failed run keeps its error and closes unfinished steps", async () => {
  const { runId } = await createRun(db, twoStepRun);
  await startRun(db, { runId, workerId: "w" });
  await startStep(db, { runId, idx: 0 });
  await finishStep(db, {
    runId,
    idx: 0,
    status: "failed",
    rowsWritten: null,
    renderedSql: "select broken",
    errorCode: "ALMANAC_MODEL_SQL_ERROR",
    errorMessage: 'syntax error at or near "broken"',
  });
  assert.equal(
    await finishRun(db, {
      runId,
      status: "failed",
      errorCode: "ALMANAC_MODEL_SQL_ERROR",
      errorMessage: "step 0 failed",
    }),
    true,
  );
  const run = await getRun(db, runId);
  assert.ok(run);
  assert.equal(run.errorCode, "ALMANAC_MODEL_SQL_ERROR");
  assert.deepEqual(
    run.steps.map((step) => [step.status, step.renderedSql, step.errorCode]),
    [
      ["failed", "select broken", "ALMANAC_MODEL_SQL_ERROR"],
      ["skipped", null, null],
    ],
  );
});

test("fencing: a late worker of an older attempt can neither heartbeat nor finish the run", async () => {
  const { runId } = await createRun(db, twoStepRun);
  const first = await startRun(db, { runId, workerId: "lost-worker" });
  const second = await startRun(db, { runId, workerId: "new-worker" }); // the reconciler re-enqueued it
  assert.equal(first?.attempt, 1);
  assert.equal(second?.attempt, 2);
  assert.equal(second?.startedAt?.getTime(), first?.startedAt?.getTime(), "started_at is the first start");
  assert.equal(await heartbeatRun(db, { runId, attempt: 1 }), null);
  assert.equal(await finishRun(db, { runId, status: "failed", attempt: 1 }), false);
  assert.equal((await getRun(db, runId))?.status, "running");
  assert.equal(await finishRun(db, { runId, status: "succeeded", attempt: 2 }), true);
});

test("cancel: a queued run is canceled at once, a running one is asked to stop", async () => {
  const queued = await createRun(db, twoStepRun);
  assert.equal(await requestRunCancel(db, queued.runId), "canceled");
  const canceled = await getRun(db, queued.runId);
  assert.deepEqual(
    canceled?.steps.map((step) => step.status),
    ["canceled", "canceled"],
  );
  assert.ok(canceled?.finishedAt);

  const running = await createRun(db, twoStepRun);
  await startRun(db, { runId: running.runId, workerId: "w" });
  assert.equal(await requestRunCancel(db, running.runId), "running");
  assert.deepEqual(await heartbeatRun(db, { runId: running.runId, attempt: 1 }), { cancelRequested: true });
  assert.equal(await finishRun(db, { runId: running.runId, status: "canceled" }), true);
  // Asking again returns the final status unchanged; unknown and malformed ids are null.
  assert.equal(await requestRunCancel(db, running.runId), "canceled");
  assert.equal(await requestRunCancel(db, "00000000-0000-0000-0000-000000000000"), null);
  assert.equal(await requestRunCancel(db, "not-a-uuid"), null);
});

test("getRun of an unknown or malformed id is null", async () => {
  assert.equal(await getRun(db, "00000000-0000-0000-0000-000000000000"), null);
  assert.equal(await getRun(db, "nope"), null);
});

test("listRuns filters by status, asset, partition and pages newest first", async () => {
  const asset = `asset_${Date.now()}`;
  const ids: string[] = [];
  for (const [from, to] of [
    ["2024-01-01", "2024-01-01"],
    ["2024-01-02", "2024-01-10"],
    ["2024-01-11", "2024-01-31"],
  ] as const) {
    const { runId } = await createRun(db, {
      selection: asset,
      assetKeys: [asset],
      partitionsDef: "daily",
      partitionFrom: from,
      partitionTo: to,
      trigger: "cli",
      steps: [{ assetKey: asset, partitionFrom: from, partitionTo: to }],
    });
    ids.push(runId);
  }
  await startRun(db, { runId: ids[2] as string, workerId: "w" });

  const all = await listRuns(db, { assetKey: asset, limit: 10 });
  assert.deepEqual(
    all.runs.map((run) => run.id),
    [...ids].reverse(),
  );
  assert.equal(all.nextCursor, null);

  const page1 = await listRuns(db, { assetKey: asset, limit: 2 });
  assert.deepEqual(
    page1.runs.map((run) => run.id),
    [ids[2], ids[1]],
  );
  assert.ok(page1.nextCursor);
  const page2 = await listRuns(db, { assetKey: asset, limit: 2, cursor: page1.nextCursor });
  assert.deepEqual(
    page2.runs.map((run) => run.id),
    [ids[0]],
  );
  assert.equal(page2.nextCursor, null);

  const covering = await listRuns(db, { assetKey: asset, partitionKey: "2024-01-05" });
  assert.deepEqual(
    covering.runs.map((run) => run.id),
    [ids[1]],
  );
  const running = await listRuns(db, { assetKey: asset, status: "running" });
  assert.deepEqual(
    running.runs.map((run) => run.id),
    [ids[2]],
  );
  const queuedOrRunning = await listRuns(db, { assetKey: asset, status: ["queued", "running"] });
  assert.equal(queuedOrRunning.runs.length, 3);
  assert.deepEqual((await listRuns(db, { assetKey: "no_such_asset" })).runs, []);
  await assert.rejects(listRuns(db, { cursor: "garbage" }), { code: "ALMANAC_BAD_REQUEST" });
});

test("listUnfinishedRuns finds queued and running runs that went silent", async () => {
  const { runId } = await createRun(db, twoStepRun);
  await startRun(db, { runId, workerId: "w" });
  const silentSinceFuture = await listUnfinishedRuns(db, { silentSince: new Date(Date.now() + 60_000) });
  assert.ok(silentSinceFuture.some((run) => run.id === runId));
  const silentSincePast = await listUnfinishedRuns(db, { silentSince: new Date(Date.now() - 60_000) });
  assert.ok(!silentSincePast.some((run) => run.id === runId));
  await finishRun(db, { runId, status: "succeeded" });
  assert.ok(!(await listUnfinishedRuns(db)).some((run) => run.id === runId));
});

test("run events: one insert for many, paged in order by id", async () => {
  const { runId } = await createRun(db, twoStepRun);
  const ids = await appendRunEvents(
    db,
    Array.from({ length: 25 }, (_, i) => ({
      runId,
      stepIdx: i % 2 === 0 ? null : 1,
      level: i === 24 ? ("error" as const) : ("info" as const),
      message: `event ${i}`,
      data: { i, partition: "2024-01-01" },
    })),
  );
  assert.equal(ids.length, 25);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );

  const pages: string[][] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await listRunEvents(db, runId, { afterId, limit: 10 });
    if (page.length === 0) break;
    pages.push(page.map((event) => event.message));
    afterId = page[page.length - 1]?.id;
  }
  assert.deepEqual(
    pages.map((page) => page.length),
    [10, 10, 5],
  );
  assert.deepEqual(
    pages.flat(),
    Array.from({ length: 25 }, (_, i) => `event ${i}`),
  );
  const [first] = await listRunEvents(db, runId, { limit: 1 });
  assert.deepEqual(first?.data, { i: 0, partition: "2024-01-01" });
  assert.equal(first?.level, "info");
  assert.equal(first?.stepIdx, null);
  assert.deepEqual(await appendRunEvents(db, []), []);
  assert.deepEqual(await listRunEvents(db, "bad-id"), []);
});
