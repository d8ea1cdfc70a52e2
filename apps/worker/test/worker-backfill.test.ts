import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { getBackfillProgress, requestBackfill } from "@almanac/engine";
import { examplesDir } from "@almanac/testing";
import { type WorkerFixture, workerFixture } from "./worker-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");

describe("a worker executing a backfill", () => {
  let f: WorkerFixture;
  before(async () => {
    f = await workerFixture(path.join(examplesDir, "nyc_taxi"), {
      from: "2024-01-01",
      to: "2024-01-04",
      rowsPerDay: 30,
    });
    await f.startWorker();
  });
  after(() => f?.close());

  const waitForBackfill = async (backfillId: string) => {
    for (let i = 0; i < 300; i++) {
      const progress = await getBackfillProgress(f.ctx, backfillId);
      if (!["requested", "running"].includes(progress.status)) return progress;
      await sleep(100);
    }
    throw new Error(`backfill ${backfillId} did not finish`);
  };

  /** When each run of the backfill started and finished, in plan order. */
  const runTimes = (backfillId: string) =>
    f.query<{ assets: string; started_at: Date; finished_at: Date }>(
      `select array_to_string(asset_keys, ',') as assets, started_at, finished_at from almanac.runs
        where backfill_id = $1 order by created_at, partition_from nulls first`,
      [backfillId],
    );

  test("only the first wave is enqueued; the worker hands each next wave over", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_zone_metrics+", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    await f.runQueue.enqueueRuns(backfill.ready);
    const done = await waitForBackfill(backfill.backfillId);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.runs, { queued: 0, running: 0, succeeded: 5, failed: 0, canceled: 0, total: 5 });
    assertWaveOrder(await runTimes(backfill.backfillId));
  });

  test("jobs enqueued before their turn (as the reconciler does) wait for the earlier waves", async () => {
    const backfill = await requestBackfill(
      f.ctx,
      { select: "+daily_zone_metrics+", from: "2024-01-02", to: "2024-01-04" },
      { now },
    );
    const all = await f.query<{ id: string }>(
      "select id from almanac.runs where backfill_id = $1 order by created_at desc",
      [backfill.backfillId],
    );
    // Last wave first, so a worker picks the runs up in the worst order.
    await f.runQueue.enqueueRuns(all.map((run) => ({ runId: run.id, attempt: 0 })));
    const done = await waitForBackfill(backfill.backfillId);
    assert.equal(done.status, "completed");
    assertWaveOrder(await runTimes(backfill.backfillId));
    const waited = f.logger.lines.filter((l) => l.message.includes("waits for an earlier wave"));
    assert.ok(waited.length > 0, "some job was put back to wait");
  });
});

/** zone_summary started after every partition run finished, which started after the staging run. */
function assertWaveOrder(runs: { assets: string; started_at: Date; finished_at: Date }[]): void {
  const [staging, ...rest] = runs;
  const summary = rest.pop();
  assert.equal(staging?.assets, "stg_trips,stg_zones");
  assert.equal(summary?.assets, "zone_summary");
  for (const run of rest) {
    assert.equal(run.assets, "daily_zone_metrics");
    assert.ok(run.started_at >= (staging?.finished_at as Date), "partition run after the staging run");
    assert.ok((summary?.started_at as Date) >= run.finished_at, "summary after every partition run");
  }
}
