import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { runJobId } from "@almanac/queue";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../src/index.js";
import { closedPort, now, type ServerFixture, serverFixture, testRunQueue } from "./server-fixture.js";

describe("server faults", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("a request that reaches a dead store gets 503 ALMANAC_STORE_UNAVAILABLE", async () => {
    const deadStore = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/none` });
    const app = await buildApp({ ctx: { ...f.ctx, store: deadStore }, runQueue: f.queue, logger: false });
    try {
      const res = await app.inject({ method: "GET", url: "/api/runs" });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, "ALMANAC_STORE_UNAVAILABLE");
    } finally {
      await app.close();
      await deadStore.end();
    }
  });

  test("a POST while Redis is down answers 503; retrying once it is back hands the same run over", async () => {
    const deadQueue = testRunQueue(`redis://127.0.0.1:${await closedPort()}`);
    const deadApp = await buildApp({ ctx: f.ctx, runQueue: deadQueue, logger: false, now: () => now });
    const payload = { select: "daily_metrics", partition: "2024-01-04" };
    let runId: string;
    try {
      const res = await deadApp.inject({ method: "POST", url: "/api/runs", payload });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, "ALMANAC_QUEUE_UNAVAILABLE");
      runId = res.json().error.message.match(/run ([0-9a-f-]{36})/)[1];
      const [run] = await f.query("select status from almanac.runs where id = $1", [runId]);
      assert.deepEqual(run, { status: "queued" }, "the run is safe in Postgres");
    } finally {
      await deadApp.close();
      await deadQueue.close();
    }
    const retry = await f.app.inject({ method: "POST", url: "/api/runs", payload });
    assert.equal(retry.statusCode, 202);
    assert.deepEqual(retry.json(), { runId, status: "queued", existing: true });
    assert.ok((await f.jobIds()).includes(runJobId(runId, 0)), "the job is in the queue now");
  });

  describe("an unexpected error", () => {
    // A store that was never migrated: every query fails with "relation does not exist".
    let bare: TestDatabase;
    let pool: pg.Pool;
    before(async () => {
      bare = await createTestDatabase({ template: "empty" });
      pool = new pg.Pool({ connectionString: bare.url, max: 2 });
    });
    after(async () => {
      await pool.end();
      await bare.drop();
    });

    test("is a 500 ALMANAC_INTERNAL with a generic message; the log has the stack", async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const app = await buildApp({ ctx: { ...f.ctx, store: pool }, runQueue: f.queue, logger: pino(stream) });
      try {
        const res = await app.inject({ method: "GET", url: "/api/assets" });
        assert.equal(res.statusCode, 500);
        const { error } = res.json();
        assert.equal(error.code, "ALMANAC_INTERNAL");
        assert.match(error.message, /^internal error \(request [\w-]+\)/);
        assert.doesNotMatch(res.body, /asset_partitions|does not exist|\.ts:\d+/);
        const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 50);
        assert.match(logged?.err?.stack ?? "", /asset_partitions/);
      } finally {
        await app.close();
      }
    });
  });
});
