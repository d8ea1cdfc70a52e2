import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type EngineContext, loadSeeds, materializeSelection, testSelection } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createTestDatabase, examplesDir, type TestDatabase } from "@almanac/testing";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { buildApp } from "../src/index.js";
import { testRunQueue } from "./server-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");

describe("GET /api/assets/:key/partitions shows each partition's checks", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let app: FastifyInstance;
  const queue = testRunQueue();

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on("error", () => undefined);
    const ctx: EngineContext = {
      project: await loadProject(path.join(examplesDir, "jaffle_shop")),
      target: { name: "test", schema: "public", type: "postgres" },
      warehouse: pool,
      store: pool,
      sharedTransaction: true,
    };
    await loadSeeds(ctx, []);
    const run = await materializeSelection(
      ctx,
      { select: "+orders_daily", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    assert.equal(run.status, "succeeded");
    await pool.query("update public.orders_daily set revenue = null where order_date = '2024-01-02'");
    await pool.query(
      "insert into public.orders_daily select * from public.orders_daily where order_date = '2024-01-03'",
    );
    await testSelection(ctx, "orders_daily", { from: "2024-01-02", to: "2024-01-03", now });
    app = await buildApp({ ctx, runQueue: queue, logger: false, now: () => now });
  });
  after(async () => {
    await app.close();
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await pool.end();
    await database.drop();
  });

  test("passed, warned (warn severity), failed (error severity), and null when never checked", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/api/assets/orders_daily/partitions?from=2024-01-01&to=2024-01-04",
    });
    assert.equal(res.statusCode, 200);
    const partitions = (res.json() as { partitions: { key: string; status: string; checks: string | null }[] })
      .partitions;
    assert.deepEqual(
      partitions.map((p) => [p.key, p.status, p.checks]),
      [
        ["2024-01-01", "materialized", "passed"],
        ["2024-01-02", "materialized", "warned"],
        ["2024-01-03", "materialized", "failed"],
        ["2024-01-04", "missing", null],
      ],
    );
  });
});
