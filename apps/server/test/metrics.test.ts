import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parsePrometheusText } from "@almanac/testing";
import pg from "pg";
import { buildApp } from "../src/index.js";
import { closedPort, type ServerFixture, serverFixture } from "./server-fixture.js";

describe("GET /metrics", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("Prometheus text with the store's gauges, no partition keys in labels", async () => {
    const res = await f.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const metrics = parsePrometheusText(res.body);
    // nyc_taxi, nothing run yet: every daily partition up to 2024-01-09 is missing.
    assert.equal(metrics.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "missing" }), 9);
    assert.equal(metrics.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "materialized" }), 0);
    assert.equal(metrics.types.get("almanac_queue_jobs"), "gauge");
    assert.equal(metrics.sum("almanac_queue_jobs", { state: "waiting" }), 0);
    assert.equal(metrics.sum("almanac_metrics_collect_errors_total"), 0);
  });

  test("a run request shows as a queued partition and a waiting job", async () => {
    const posted = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: { select: "daily_metrics", partition: "2024-01-03" },
    });
    assert.equal(posted.statusCode, 202);
    const metrics = parsePrometheusText((await f.app.inject({ method: "GET", url: "/metrics" })).body);
    assert.equal(metrics.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "queued" }), 1);
    assert.equal(metrics.sum("almanac_asset_partitions", { asset: "daily_metrics", status: "missing" }), 8);
    assert.equal(metrics.sum("almanac_queue_jobs", { state: "waiting" }), 1);
  });

  test("a reported source event is counted per source table", async () => {
    // raw.trips reaches the daily marts through the stg_trips view: its events are in their days.
    const reported = await f.app.inject({
      method: "POST",
      url: "/api/sources/raw.trips/events",
      payload: { partition: "2024-01-03" },
    });
    assert.equal(reported.statusCode, 201, reported.body);
    const metrics = parsePrometheusText((await f.app.inject({ method: "GET", url: "/metrics" })).body);
    assert.equal(metrics.types.get("almanac_source_events"), "gauge");
    assert.equal(metrics.sum("almanac_source_events", { source: "raw.trips" }), 1);
  });

  test("when Postgres does not answer, it still answers 200 and counts the failed gauges", async () => {
    const deadStore = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/none` });
    deadStore.on("error", () => undefined);
    const app = await buildApp({ ctx: { ...f.ctx, store: deadStore }, runQueue: f.queue, logger: false });
    try {
      const res = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 200);
      const metrics = parsePrometheusText(res.body);
      assert.equal(metrics.sum("almanac_metrics_collect_errors_total", { gauge: "almanac_asset_partitions" }), 1);
      assert.equal(metrics.sum("almanac_asset_partitions"), 0);
      // Redis still answers: the queue gauge is filled.
      assert.ok(metrics.samples.some((s) => s.name === "almanac_queue_jobs"));
    } finally {
      await app.close();
      await deadStore.end();
    }
  });

  test("with ALMANAC_READ_TOKENS it needs a read token, like the API", async () => {
    const app = await buildApp({ ctx: f.ctx, runQueue: f.queue, logger: false, readTokens: ["reader"] });
    try {
      const denied = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.json().error.code, "ALMANAC_UNAUTHORIZED");
      const allowed = await app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer reader" } });
      assert.equal(allowed.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
