import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { executeBackfill } from "@almanac/engine";
import { runJobId } from "@almanac/queue";
import { buildApp } from "../src/index.js";
import { now, type ServerFixture, serverFixture } from "./server-fixture.js";

const token = "backfill-test-token";
const unknownId = "00000000-0000-4000-8000-000000000000";

describe("/api/backfills", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true, apiToken: token });
  });
  after(() => f.close());

  const post = (url: string, payload?: object, auth = true) =>
    f.app.inject({
      method: "POST",
      url,
      payload,
      headers: auth ? { authorization: `Bearer ${token}` } : {},
    });
  const get = (url: string) => f.app.inject({ method: "GET", url });
  const countBackfills = async () =>
    (await f.query<{ n: number }>("select count(*)::int as n from almanac.backfills"))[0]?.n;

  test("POST records the backfill and enqueues its first wave only", async () => {
    const jobsBefore = await f.jobIds();
    const res = await post("/api/backfills", { select: "+daily_metrics", from: "2024-01-01", to: "2024-01-03" });
    assert.equal(res.statusCode, 202);
    const body = res.json();
    assert.deepEqual(body, { backfillId: body.backfillId, partitions: 3, runs: 4 });
    const runs = await f.query<{ id: string; partition_from: string | null }>(
      "select id, partition_from from almanac.runs where backfill_id = $1 order by created_at, partition_from nulls first",
      [body.backfillId],
    );
    assert.deepEqual(
      runs.map((r) => r.partition_from),
      [null, "2024-01-01", "2024-01-02", "2024-01-03"],
    );
    // stg_trips first; the partition runs are enqueued by the worker that finishes it.
    assert.deepEqual(await f.jobIds(), [...jobsBefore, runJobId(String(runs[0]?.id), 0)].sort());

    const progress = await get(`/api/backfills/${body.backfillId}`);
    assert.equal(progress.statusCode, 200);
    assert.equal(progress.json().status, "requested");
    assert.deepEqual(progress.json().counts, {
      queued: 4,
      running: 0,
      materialized: 0,
      failed: 0,
      canceled: 0,
      total: 4,
    });
    assert.deepEqual(progress.json().runs, { queued: 4, running: 0, succeeded: 0, failed: 0, canceled: 0, total: 4 });

    await executeBackfill(f.ctx, body.backfillId);
    const done = (await get(`/api/backfills/${body.backfillId}`)).json();
    assert.equal(done.status, "completed");
    assert.deepEqual(done.counts, { queued: 0, running: 0, materialized: 4, failed: 0, canceled: 0, total: 4 });
    assert.ok(done.finishedAt);
  });

  test("without upstream models every run is enqueued at once, in one addBulk", async () => {
    const jobsBefore = await f.jobIds();
    const res = await post("/api/backfills", {
      select: "daily_metrics",
      from: "2024-01-04",
      to: "2024-01-09",
      maxPartitionsPerRun: 2,
    });
    assert.equal(res.statusCode, 202);
    const { partitions, runs } = res.json() as { partitions: number; runs: number };
    assert.deepEqual({ partitions, runs }, { partitions: 6, runs: 3 });
    assert.equal((await f.jobIds()).length, jobsBefore.length + 3);
  });

  test("GET lists backfills newest first", async () => {
    const res = await get("/api/backfills?limit=5");
    assert.equal(res.statusCode, 200);
    const list = res.json().backfills as { selection: string; status: string; createdAt: string }[];
    assert.deepEqual(
      list.map((b) => `${b.selection} ${b.status}`),
      ["daily_metrics requested", "+daily_metrics completed"],
    );
  });

  test("cancel: queued runs at once, nothing left queued; a second cancel changes nothing", async () => {
    const created = (
      await post("/api/backfills", { select: "daily_metrics", from: "2024-01-07", to: "2024-01-09" })
    ).json();
    const res = await post(`/api/backfills/${created.backfillId}/cancel`);
    assert.equal(res.statusCode, 202);
    assert.equal(res.json().status, "canceled");
    assert.deepEqual(res.json().runs, { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 3, total: 3 });
    const [left] = await f.query<{ n: number }>(
      `select count(*)::int as n from almanac.runs where backfill_id = $1 and status in ('queued', 'running')`,
      [created.backfillId],
    );
    assert.equal(left?.n, 0);
    assert.equal((await post(`/api/backfills/${created.backfillId}/cancel`)).json().status, "canceled");
    // A canceled backfill left nothing failed: nothing to retry.
    const retry = await post(`/api/backfills/${created.backfillId}/retry`);
    assert.equal(retry.statusCode, 400);
    assert.equal(retry.json().error.code, "ALMANAC_BAD_REQUEST");
  });

  test("retry of a backfill still running is refused", async () => {
    const created = (
      await post("/api/backfills", { select: "daily_metrics", from: "2024-01-08", to: "2024-01-08" })
    ).json();
    const res = await post(`/api/backfills/${created.backfillId}/retry`);
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /still requested/);
  });

  test("unknown backfills are 404 ALMANAC_UNKNOWN_BACKFILL", async () => {
    for (const res of [
      await get(`/api/backfills/${unknownId}`),
      await post(`/api/backfills/${unknownId}/cancel`),
      await post(`/api/backfills/${unknownId}/retry`),
    ]) {
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, "ALMANAC_UNKNOWN_BACKFILL");
    }
    assert.equal((await get("/api/backfills/not-a-uuid")).statusCode, 400);
  });

  test("bad input gets a 4xx with a code and records nothing", async () => {
    const before = { backfills: await countBackfills(), runs: await f.countRuns(), jobs: await f.jobIds() };
    const cases: [unknown, number, string][] = [
      [{ select: "daily_metrics", from: "2024-01-05", to: "2024-01-01" }, 400, "ALMANAC_BAD_PARTITION_RANGE"],
      [{ select: "daily_metrics", from: "2023-12-31", to: "2024-01-01" }, 400, "ALMANAC_PARTITION_OUT_OF_RANGE"],
      [{ select: "daily_metrics", from: "2024-1-1", to: "2024-01-02" }, 400, "ALMANAC_BAD_PARTITION_KEY"],
      [{ select: "nope", from: "2024-01-01", to: "2024-01-02" }, 404, "ALMANAC_UNKNOWN_ASSET"],
      [{ select: "stg_trips", from: "2024-01-01", to: "2024-01-02" }, 400, "ALMANAC_NOT_PARTITIONED"],
      [{ select: "daily_metrics", from: "2024-01-01" }, 400, "ALMANAC_BAD_REQUEST"],
      [{ select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", policy: "weekly" }, 400, "ALMANAC_BAD_REQUEST"],
      [{ select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", only: "stale" }, 400, "ALMANAC_BAD_REQUEST"],
      [
        { select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", policy: "single_run", maxPartitionsPerRun: 2 },
        400,
        "ALMANAC_BAD_REQUEST",
      ],
      [{ select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", extra: 1 }, 400, "ALMANAC_BAD_REQUEST"],
    ];
    for (const [payload, status, code] of cases) {
      const res = await post("/api/backfills", payload as object);
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const denied = await post(
      "/api/backfills",
      { select: "daily_metrics", from: "2024-01-01", to: "2024-01-02" },
      false,
    );
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.json().error.code, "ALMANAC_UNAUTHORIZED");
    assert.equal((await post(`/api/backfills/${unknownId}/cancel`, undefined, false)).statusCode, 401);
    assert.deepEqual({ backfills: await countBackfills(), runs: await f.countRuns(), jobs: await f.jobIds() }, before);
  });

  test("the maximum number of partitions is configurable (ALMANAC_MAX_BACKFILL_PARTITIONS)", async () => {
    const app = await buildApp({
      ctx: f.ctx,
      runQueue: f.queue,
      logger: false,
      now: () => now,
      maxBackfillPartitions: 3,
    });
    try {
      const before = await countBackfills();
      const res = await app.inject({
        method: "POST",
        url: "/api/backfills",
        payload: { select: "daily_metrics", from: "2024-01-01", to: "2024-01-05" },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, "ALMANAC_BAD_PARTITION_RANGE");
      assert.match(res.json().error.message, /holds 5 partitions, more than the 3 one backfill may cover/);
      assert.equal(await countBackfills(), before);
    } finally {
      await app.close();
    }
  });
});
