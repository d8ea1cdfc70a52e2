import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { executeRun } from "@almanac/engine";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

interface PartitionJson {
  key: string;
  status: string;
  stale: boolean;
  runId: string | null;
  updatedAt: string | null;
}

describe("GET /api/assets", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ trips: true });
    // One materialized partition (2024-01-02) and one queued (2024-01-05), the rest missing.
    const done = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: { select: "+daily_metrics", partition: "2024-01-02" },
    });
    await executeRun(f.ctx, done.json().runId);
    await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: { select: "daily_metrics", partition: "2024-01-05" },
    });
  });
  after(() => f.close());

  test("lists every materialized asset with its deps and partition counts", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/assets" });
    assert.equal(res.statusCode, 200);
    const { assets } = res.json();
    const daily = assets.find((a: { key: string }) => a.key === "daily_metrics");
    assert.deepEqual(daily, {
      key: "daily_metrics",
      materialized: "incremental",
      partitioned: true,
      partitions: "daily",
      deps: daily.deps,
      // stg_trips is a view, so daily_metrics maps no partitions.
      mappings: [],
      tags: daily.tags,
      counts: { materialized: 1, failed: 0, running: 0, queued: 1, missing: 7 },
      // No freshness policy: never overdue, and no freshness block.
      overdue: false,
    });
    assert.ok(daily.deps.includes("stg_trips"));
    const staging = assets.find((a: { key: string }) => a.key === "stg_trips");
    assert.equal(staging.partitioned, false);
    assert.equal("partitions" in staging, false);
    assert.deepEqual(staging.counts, { materialized: 1, failed: 0, running: 0, queued: 0, missing: 0 });
  });

  test("GET /api/assets/:key answers one asset, 404 for an unknown one", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/assets/daily_metrics" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().key, "daily_metrics");
    const unknown = await f.app.inject({ method: "GET", url: "/api/assets/no_such_model" });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, "ALMANAC_UNKNOWN_ASSET");
  });

  test("partitions list missing ones too, with dates as ISO strings", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/assets/daily_metrics/partitions" });
    assert.equal(res.statusCode, 200);
    const partitions: PartitionJson[] = res.json().partitions;
    assert.deepEqual(
      partitions.map((p) => `${p.key} ${p.status}`),
      [
        "2024-01-01 missing",
        "2024-01-02 materialized",
        "2024-01-03 missing",
        "2024-01-04 missing",
        "2024-01-05 queued",
        "2024-01-06 missing",
        "2024-01-07 missing",
        "2024-01-08 missing",
        "2024-01-09 missing",
      ],
    );
    const materialized = partitions[1];
    assert.equal(materialized?.stale, false);
    assert.match(materialized?.runId ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(materialized?.updatedAt ?? "")));
    assert.deepEqual(partitions[0], { ...partitions[0], runId: null, updatedAt: null, stale: false });
  });

  test("partitions filter by range and by a comma-separated status list", async () => {
    const res = await f.app.inject({
      method: "GET",
      url: "/api/assets/daily_metrics/partitions?from=2024-01-02&to=2024-01-06&status=queued,materialized",
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().partitions.map((p: PartitionJson) => `${p.key} ${p.status}`),
      ["2024-01-02 materialized", "2024-01-05 queued"],
    );
  });

  test("partitions reject a malformed key, a key out of range and an unknown status with 400", async () => {
    const cases = [
      ["from=2024-1-5", "ALMANAC_BAD_PARTITION_KEY"],
      ["from=2023-12-31", "ALMANAC_PARTITION_OUT_OF_RANGE"],
      ["status=done", "ALMANAC_BAD_REQUEST"],
      ["from=2024-01-01%00", "ALMANAC_BAD_REQUEST"],
    ] as const;
    for (const [query, code] of cases) {
      const res = await f.app.inject({ method: "GET", url: `/api/assets/daily_metrics/partitions?${query}` });
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error.code, code, query);
    }
  });

  test("statuses give one character per partition, the same as the full listing", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/assets/daily_metrics/statuses" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      asset: "daily_metrics",
      partitions: "daily",
      from: "2024-01-01",
      to: "2024-01-09",
      statuses: "-m--q----",
    });
    const range = await f.app.inject({
      method: "GET",
      url: "/api/assets/daily_metrics/statuses?from=2024-01-02&to=2024-01-05",
    });
    assert.equal(range.json().statuses, "m--q");
    for (const [url, status, code] of [
      ["/api/assets/stg_trips/statuses", 400, "ALMANAC_NOT_PARTITIONED"],
      ["/api/assets/daily_metrics/statuses?from=2024-1-5", 400, "ALMANAC_BAD_PARTITION_KEY"],
      ["/api/assets/daily_metrics/statuses?from=2024-01-05&to=2024-01-02", 400, "ALMANAC_BAD_REQUEST"],
      ["/api/assets/no_such_model/statuses", 404, "ALMANAC_UNKNOWN_ASSET"],
    ] as const) {
      const bad = await f.app.inject({ method: "GET", url });
      assert.equal(bad.statusCode, status, url);
      assert.equal(bad.json().error.code, code, url);
    }
  });
});
