import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { definePartitions } from "@almanac/partitions";
import { notificationEvents } from "@almanac/project";
import { notificationEventTypes } from "@almanac/store";
import { freshnessDeadline } from "./asset-freshness.js";
import { deliveryBackoffMs, notificationBody, webhookSignature } from "./notification-body.js";

describe("notificationBody", () => {
  const createdAt = new Date("2024-01-03T04:05:06Z");
  const runId = "8f14e45f-ceea-4e7a-9b1c-1a2b3c4d5e6f";

  it("a failed run links to its page and says what failed in one line", () => {
    const body = notificationBody(
      {
        id: 42,
        notification: "ops",
        eventType: "run_failed",
        attempt: 3,
        createdAt,
        payload: {
          runId,
          backfillId: null,
          trigger: "api",
          assets: ["daily_trips"],
          partitionsDef: "daily",
          partitionFrom: "2024-01-01",
          partitionTo: "2024-01-02",
          error: { code: "ALMANAC_MODEL_SQL_ERROR", message: 'relation "x" does not exist' },
        },
      },
      "https://almanac.example/",
    );
    assert.deepEqual(body, {
      id: "42",
      type: "run_failed",
      notification: "ops",
      createdAt: "2024-01-03T04:05:06.000Z",
      runId,
      backfillId: null,
      assets: ["daily_trips"],
      partitions: { from: "2024-01-01", to: "2024-01-02" },
      error: { code: "ALMANAC_MODEL_SQL_ERROR", message: 'relation "x" does not exist' },
      link: `https://almanac.example/runs/${runId}`,
      details: { trigger: "api", partitionsDef: "daily" },
      text: `Almanac: run of daily_trips [2024-01-01 … 2024-01-02] failed: relation "x" does not exist <https://almanac.example/runs/${runId}|open>`,
    });
  });

  const cases: [string, Parameters<typeof notificationBody>[0]["eventType"], Record<string, unknown>, string][] = [
    [
      "a completed backfill links to the backfill",
      "backfill_completed",
      { backfillId: "b1", status: "completed", assets: ["a"], runs: { total: 3, failed: 0 } },
      "Almanac: backfill of a completed (3 runs, 0 failed) <http://h/backfills/b1|open>",
    ],
    [
      "an overdue asset links to the asset",
      "asset_overdue",
      { assets: ["a b"], partitionFrom: "2024-01-05", partitionTo: "2024-01-05", maxLag: "26h" },
      "Almanac: a b [2024-01-05] is overdue: not materialized 26h after its window ended <http://h/assets/a%20b|open>",
    ],
    [
      "failed checks name the checks once each",
      "check_failed",
      { runId: "r1", assets: ["a"], checks: [{ name: "unique_id" }, { name: "unique_id" }, { name: "not_null" }] },
      "Almanac: checks of a failed: unique_id, not_null <http://h/runs/r1|open>",
    ],
  ];
  for (const [name, eventType, payload, text] of cases) {
    it(name, () => {
      const body = notificationBody(
        { id: 1, notification: "n", eventType, attempt: 1, createdAt, payload },
        "http://h",
      );
      assert.equal(body.text, text);
    });
  }
});

describe("webhookSignature and backoff", () => {
  it("signs the raw body as sha256=<hex HMAC>", () => {
    const expected = createHmac("sha256", "s3cret").update('{"a":1}').digest("hex");
    assert.equal(webhookSignature("s3cret", '{"a":1}'), `sha256=${expected}`);
  });
  it("doubles the wait per attempt up to the cap", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempt) => deliveryBackoffMs(attempt, 1000, 10_000)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
  });
  it("the project's event names are the store's", () => {
    assert.deepEqual([...notificationEvents], [...notificationEventTypes]);
  });
});

describe("freshnessDeadline", () => {
  const policy = { maxLagMs: 26 * 3_600_000, maxLag: "26h" };
  const rows: [string, Parameters<typeof definePartitions>[0], string, string | undefined, string | undefined][] = [
    [
      "daily UTC: yesterday, due 02:00 the day after",
      { name: "d", type: "daily", start: "2024-01-01" },
      "2024-01-03T10:00:00Z",
      "2024-01-02",
      "2024-01-04T02:00:00.000Z",
    ],
    [
      "end_offset 1 still judges the last ended window",
      { name: "d", type: "daily", start: "2024-01-01", endOffset: 1 },
      "2024-01-03T10:00:00Z",
      "2024-01-02",
      "2024-01-04T02:00:00.000Z",
    ],
    [
      "a 23-hour DST day in New York ends at local midnight",
      { name: "d", type: "daily", start: "2024-03-01", timezone: "America/New_York" },
      "2024-03-11T12:00:00Z",
      "2024-03-10",
      "2024-03-12T06:00:00.000Z",
    ],
    [
      "none before the first window ends",
      { name: "d", type: "daily", start: "2024-01-01" },
      "2024-01-01T10:00:00Z",
      undefined,
      undefined,
    ],
  ];
  for (const [name, config, now, partition, deadline] of rows) {
    it(name, () => {
      const due = freshnessDeadline(definePartitions(config), policy, new Date(now));
      assert.equal(due?.partition, partition);
      assert.equal(due?.deadline.toISOString(), deadline);
    });
  }
});
