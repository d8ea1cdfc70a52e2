import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { buildApp } from "../src/index.js";
import { closedPort, type ServerFixture, serverFixture, testRunQueue } from "./server-fixture.js";

describe("GET /api/health", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("200 when Postgres and Redis answer", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/health" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "ok", postgres: true, redis: true });
  });

  test("503 when Redis does not answer", async () => {
    const deadQueue = testRunQueue(`redis://127.0.0.1:${await closedPort()}`);
    const app = await buildApp({ ctx: f.ctx, runQueue: deadQueue, logger: false });
    try {
      const res = await app.inject({ method: "GET", url: "/api/health" });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: "unavailable", postgres: true, redis: false });
    } finally {
      await app.close();
      await deadQueue.close();
    }
  });

  test("503 when Postgres does not answer", async () => {
    const deadStore = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/none` });
    const app = await buildApp({ ctx: { ...f.ctx, store: deadStore }, runQueue: f.queue, logger: false });
    try {
      const res = await app.inject({ method: "GET", url: "/api/health" });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: "unavailable", postgres: false, redis: true });
    } finally {
      await app.close();
      await deadStore.end();
    }
  });
});
