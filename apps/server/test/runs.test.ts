import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { executeRun } from "@almanac/engine";
import { runJobId } from "@almanac/queue";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

describe("/api/runs", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true });
  });
  after(() => f.close());

  const post = (payload: object) => f.app.inject({ method: "POST", url: "/api/runs", payload });
  const partitionRows = (runId: string) =>
    f.query<{ asset_key: string; partition_key: string; status: string }>(
      "select asset_key, partition_key, status from almanac.asset_partitions where run_id = $1 order by 1, 2",
      [runId],
    );

  test("POST records the run queued with its partitions queued and enqueues one job", async () => {
    const jobsBefore = await f.jobIds();
    const res = await post({ select: "daily_metrics", from: "2024-01-04", to: "2024-01-05" });
    assert.equal(res.statusCode, 202);
    const body = res.json();
    assert.deepEqual(body, { runId: body.runId, status: "queued", existing: false });
    const [run] = await f.query<{ status: string; trigger: string }>(
      "select status, trigger from almanac.runs where id = $1",
      [body.runId],
    );
    assert.deepEqual(run, { status: "queued", trigger: "api" });
    assert.deepEqual(
      (await partitionRows(body.runId)).map((p) => `${p.partition_key} ${p.status}`),
      ["2024-01-04 queued", "2024-01-05 queued"],
    );
    const job = await f.queue.queue.getJob(runJobId(body.runId, 0));
    assert.deepEqual(job?.data, { runId: body.runId });
    assert.deepEqual(await f.jobIds(), [...jobsBefore, job?.id].sort());
  });

  test("partitions names the definition the keys belong to; an unknown one is 400 and records nothing", async () => {
    const named = await post({ select: "daily_metrics", partition: "2024-01-08", partitions: "daily" });
    assert.equal(named.statusCode, 202);
    const runsBefore = await f.countRuns();
    const jobsBefore = await f.jobIds();
    const unknown = await post({ select: "daily_metrics", partition: "2024-01-09", partitions: "dialy" });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.code, "ALMANAC_BAD_PARTITIONS_DEFINITION");
    assert.match(unknown.json().error.message, /"dialy" is not defined in almanac\.yml \(defined: daily\)/);
    assert.equal(await f.countRuns(), runsBefore);
    assert.deepEqual(await f.jobIds(), jobsBefore);
  });

  test("a duplicate POST for the same partition returns the same run and enqueues nothing", async () => {
    const first = await post({ select: "daily_metrics", partition: "2024-01-07" });
    const jobsBefore = await f.jobIds();
    const runsBefore = await f.countRuns();
    const second = await post({ select: "daily_metrics", partition: "2024-01-07" });
    assert.equal(second.statusCode, 202);
    assert.deepEqual(second.json(), { runId: first.json().runId, status: "queued", existing: true });
    assert.equal(await f.countRuns(), runsBefore);
    assert.deepEqual(await f.jobIds(), jobsBefore);
  });

  test("GET /api/runs/:id shows the run and its steps; events follow the run's log", async () => {
    const created = await post({ select: "+daily_metrics", partition: "2024-01-02", policy: "single_run" });
    const { runId } = created.json();
    await executeRun(f.ctx, runId);

    const res = await f.app.inject({ method: "GET", url: `/api/runs/${runId}` });
    assert.equal(res.statusCode, 200);
    const run = res.json();
    assert.equal(run.id, runId);
    assert.equal(run.status, "succeeded");
    assert.equal(run.selection, "+daily_metrics");
    assert.deepEqual(run.assetKeys, ["stg_trips", "daily_metrics"]);
    assert.equal(run.partitionFrom, "2024-01-02");
    assert.equal(run.partitionTo, "2024-01-02");
    assert.equal(run.trigger, "api");
    for (const field of ["createdAt", "startedAt", "finishedAt"]) {
      assert.equal(new Date(run[field]).toISOString(), run[field], field);
    }
    assert.equal(run.errorCode, null);
    assert.deepEqual(
      run.steps.map((s: { idx: number; assetKey: string; status: string }) => `${s.idx} ${s.assetKey} ${s.status}`),
      ["0 stg_trips succeeded", "1 daily_metrics succeeded"],
    );
    const step = run.steps[1];
    assert.deepEqual(Object.keys(step).sort(), [
      "assetKey",
      "errorCode",
      "errorMessage",
      "finishedAt",
      "idx",
      "partitionFrom",
      "partitionTo",
      "renderedSql",
      "rowsDeleted",
      "rowsWritten",
      "startedAt",
      "status",
    ]);
    assert.equal(step.rowsWritten, 1);

    const events = await f.app.inject({ method: "GET", url: `/api/runs/${runId}/events` });
    assert.equal(events.statusCode, 200);
    const page = events.json();
    assert.ok(page.events.length >= 2);
    const [firstEvent] = page.events;
    assert.deepEqual(Object.keys(firstEvent).sort(), ["createdAt", "data", "id", "level", "message", "stepIdx"]);
    assert.equal(page.nextAfter, page.events.at(-1).id);

    const rest = await f.app.inject({ method: "GET", url: `/api/runs/${runId}/events?after=${firstEvent.id}&limit=1` });
    assert.deepEqual(rest.json().events, [page.events[1]]);
    const none = await f.app.inject({ method: "GET", url: `/api/runs/${runId}/events?after=${page.nextAfter}` });
    assert.deepEqual(none.json(), { events: [], nextAfter: page.nextAfter });
  });

  test("GET /api/runs lists newest first with filters and a cursor", async () => {
    const all = (await f.app.inject({ method: "GET", url: "/api/runs" })).json();
    assert.ok(all.runs.length >= 3);
    assert.equal(all.nextCursor, null);
    const firstPage = (await f.app.inject({ method: "GET", url: "/api/runs?limit=1" })).json();
    assert.equal(firstPage.runs[0].id, all.runs[0].id);
    const secondPage = (
      await f.app.inject({ method: "GET", url: `/api/runs?limit=1&cursor=${firstPage.nextCursor}` })
    ).json();
    assert.equal(secondPage.runs[0].id, all.runs[1].id);

    const succeeded = (await f.app.inject({ method: "GET", url: "/api/runs?status=succeeded,failed" })).json();
    assert.deepEqual(
      succeeded.runs.map((r: { status: string }) => r.status),
      ["succeeded"],
    );
    const covering = (
      await f.app.inject({ method: "GET", url: "/api/runs?asset=daily_metrics&partition=2024-01-05" })
    ).json();
    assert.deepEqual(
      covering.runs.map((r: { partitionFrom: string }) => r.partitionFrom),
      ["2024-01-04"],
    );
  });

  test("unknown runs are 404, malformed ids 400", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const url of [`/api/runs/${unknown}`, `/api/runs/${unknown}/events`]) {
      const res = await f.app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, "ALMANAC_UNKNOWN_RUN");
    }
    const cancel = await f.app.inject({ method: "POST", url: `/api/runs/${unknown}/cancel` });
    assert.equal(cancel.statusCode, 404);
    assert.equal(cancel.json().error.code, "ALMANAC_UNKNOWN_RUN");
    for (const url of ["/api/runs/not-a-uuid", "/api/runs?cursor=nope", "/api/runs?status=done"]) {
      const res = await f.app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, "ALMANAC_BAD_REQUEST");
    }
  });

  test("canceling a queued run cancels it and releases its partitions", async () => {
    const { runId } = (await post({ select: "daily_metrics", partition: "2024-01-08" })).json();
    const res = await f.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { runId, status: "canceled" });
    assert.deepEqual(await partitionRows(runId), []);
    const run = (await f.app.inject({ method: "GET", url: `/api/runs/${runId}` })).json();
    assert.equal(run.status, "canceled");
    assert.deepEqual(
      run.steps.map((s: { status: string }) => s.status),
      ["canceled"],
    );
    // Released: the same partition can be requested again, as a new run.
    const again = await post({ select: "daily_metrics", partition: "2024-01-08" });
    assert.equal(again.json().existing, false);
    assert.notEqual(again.json().runId, runId);
    // A finished run stays as it was.
    const twice = await f.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
    assert.deepEqual(twice.json(), { runId, status: "canceled" });
  });
});
