import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

/**
 * DESIGN §3.8: bad input gets a clear error and changes nothing. Each row is a request body,
 * the status and the code it must get; none may write a run, enqueue a job, or answer 500.
 */
const badRuns: readonly [name: string, payload: unknown, status: number, code: string][] = [
  ["unknown asset", { select: "no_such_model", partition: "2024-01-02" }, 404, "ALMANAC_UNKNOWN_ASSET"],
  [
    "selection matching nothing",
    { select: "tag:no_such_tag", partition: "2024-01-02" },
    404,
    "ALMANAC_EMPTY_SELECTION",
  ],
  ["malformed key", { select: "daily_metrics", partition: "2024-1-2" }, 400, "ALMANAC_BAD_PARTITION_KEY"],
  ["key before the start", { select: "daily_metrics", partition: "2023-12-31" }, 400, "ALMANAC_PARTITION_OUT_OF_RANGE"],
  [
    "key after the last partition",
    { select: "daily_metrics", partition: "2024-01-10" },
    400,
    "ALMANAC_PARTITION_OUT_OF_RANGE",
  ],
  [
    "from after to",
    { select: "daily_metrics", from: "2024-01-05", to: "2024-01-02" },
    400,
    "ALMANAC_BAD_PARTITION_RANGE",
  ],
  ["from without to", { select: "daily_metrics", from: "2024-01-05" }, 400, "ALMANAC_BAD_PARTITION_RANGE"],
  [
    "partition and a range",
    { select: "daily_metrics", partition: "2024-01-02", from: "2024-01-02", to: "2024-01-03" },
    400,
    "ALMANAC_BAD_PARTITION_RANGE",
  ],
  ["no partition for a partitioned model", { select: "daily_metrics" }, 400, "ALMANAC_PARTITION_REQUIRED"],
  [
    "a partition for an unpartitioned model",
    { select: "stg_trips", partition: "2024-01-02" },
    400,
    "ALMANAC_NOT_PARTITIONED",
  ],
  ["malformed selector", { select: "tag:", partition: "2024-01-02" }, 400, "ALMANAC_BAD_SELECTOR"],
  ["select of the wrong type", { select: 1, partition: "2024-01-02" }, 400, "ALMANAC_BAD_REQUEST"],
  ["partition of the wrong type", { select: "daily_metrics", partition: 20240102 }, 400, "ALMANAC_BAD_REQUEST"],
  ["unknown policy", { select: "daily_metrics", partition: "2024-01-02", policy: "all" }, 400, "ALMANAC_BAD_REQUEST"],
  [
    "maxPartitionsPerRun as a string",
    { select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", maxPartitionsPerRun: "2" },
    400,
    "ALMANAC_BAD_REQUEST",
  ],
  [
    "maxPartitionsPerRun with single_run",
    { select: "daily_metrics", from: "2024-01-01", to: "2024-01-02", policy: "single_run", maxPartitionsPerRun: 2 },
    400,
    "ALMANAC_BAD_REQUEST",
  ],
  ["missing select", { partition: "2024-01-02" }, 400, "ALMANAC_BAD_REQUEST"],
  ["empty object", {}, 400, "ALMANAC_BAD_REQUEST"],
  ["an array", [{ select: "daily_metrics" }], 400, "ALMANAC_BAD_REQUEST"],
  ["extra field", { select: "daily_metrics", partition: "2024-01-02", force: true }, 400, "ALMANAC_BAD_REQUEST"],
  ["empty select", { select: "", partition: "2024-01-02" }, 400, "ALMANAC_BAD_REQUEST"],
  ["huge selector", { select: "a".repeat(1001), partition: "2024-01-02" }, 400, "ALMANAC_BAD_REQUEST"],
  ["huge partition key", { select: "daily_metrics", partition: "2".repeat(65) }, 400, "ALMANAC_BAD_REQUEST"],
  ["NUL in the selector", { select: "daily\u0000metrics", partition: "2024-01-02" }, 400, "ALMANAC_BAD_REQUEST"],
  ["NUL in the key", { select: "daily_metrics", partition: "2024-01-02\u0000" }, 400, "ALMANAC_BAD_REQUEST"],
  ["quote in the key", { select: "daily_metrics", partition: "2024-01-02'--" }, 400, "ALMANAC_BAD_REQUEST"],
  ["body over 64 KiB", { select: "daily_metrics", pad: "x".repeat(70_000) }, 413, "ALMANAC_BODY_TOO_LARGE"],
];

describe("bad input to POST /api/runs", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  for (const [name, payload, status, code] of badRuns) {
    test(`${name} → ${status} ${code}, nothing written`, async () => {
      const runsBefore = await f.countRuns();
      const res = await f.app.inject({
        method: "POST",
        url: "/api/runs",
        payload: JSON.stringify(payload),
        headers: { "content-type": "application/json" },
      });
      assert.equal(res.statusCode, status, res.body);
      const body = res.json();
      assert.equal(body.error.code, code, res.body);
      assert.equal(typeof body.error.message, "string");
      assert.equal(await f.countRuns(), runsBefore);
      assert.deepEqual(await f.jobIds(), []);
    });
  }

  test("a validation error names the part and the field", async () => {
    const res = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: { select: 1, partition: "2024-01-02" },
    });
    assert.equal(res.json().error.message, "body/select must be string");
  });

  test("broken JSON, no body and a non-JSON content type are 400, not 500", async () => {
    const requests = [
      { payload: '{"select": ', headers: { "content-type": "application/json" } },
      { payload: "", headers: { "content-type": "application/json" } },
      { payload: "select=daily_metrics", headers: { "content-type": "text/plain" } },
      { payload: "null", headers: { "content-type": "application/json" } },
    ];
    for (const request of requests) {
      const res = await f.app.inject({ method: "POST", url: "/api/runs", ...request });
      assert.equal(res.statusCode, 400, `${request.payload}: ${res.body}`);
      assert.equal(res.json().error.code, "ALMANAC_BAD_REQUEST");
    }
    assert.equal(await f.countRuns(), 0);
  });

  test("unknown routes are 404 ALMANAC_NOT_FOUND", async () => {
    for (const [method, url] of [
      ["GET", "/api/nothing"],
      ["DELETE", "/api/runs"],
    ] as const) {
      const res = await f.app.inject({ method, url });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, "ALMANAC_NOT_FOUND");
    }
  });
});
