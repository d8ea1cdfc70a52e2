import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import type { PartitionGranularity, WindowBounds } from "./types.js";
import { windowBounds, windowVars } from "./window-bounds.js";

describe("windowBounds: from the start of the first window to the end of the last", () => {
  const cases: {
    name: string;
    type: PartitionGranularity;
    timezone: string;
    start: string;
    from: string;
    to: string;
    bounds: Omit<WindowBounds, "timezone">;
  }[] = [
    {
      name: "one UTC day",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      from: "2024-01-01",
      to: "2024-01-01",
      bounds: {
        startDate: "2024-01-01",
        endDate: "2024-01-02",
        startTs: "2024-01-01T00:00:00.000Z",
        endTs: "2024-01-02T00:00:00.000Z",
        startLocal: "2024-01-01T00:00:00",
        endLocal: "2024-01-02T00:00:00",
      },
    },
    {
      name: "22 days: max_date is the day after the last key",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      from: "2024-01-01",
      to: "2024-01-22",
      bounds: {
        startDate: "2024-01-01",
        endDate: "2024-01-23",
        startTs: "2024-01-01T00:00:00.000Z",
        endTs: "2024-01-23T00:00:00.000Z",
        startLocal: "2024-01-01T00:00:00",
        endLocal: "2024-01-23T00:00:00",
      },
    },
    {
      name: "month end: 2024-01-31 ends on 2024-02-01",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      from: "2024-01-31",
      to: "2024-01-31",
      bounds: {
        startDate: "2024-01-31",
        endDate: "2024-02-01",
        startTs: "2024-01-31T00:00:00.000Z",
        endTs: "2024-02-01T00:00:00.000Z",
        startLocal: "2024-01-31T00:00:00",
        endLocal: "2024-02-01T00:00:00",
      },
    },
    {
      name: "New York 23 h day",
      type: "daily",
      timezone: "America/New_York",
      start: "2024-01-01",
      from: "2024-03-10",
      to: "2024-03-10",
      bounds: {
        startDate: "2024-03-10",
        endDate: "2024-03-11",
        startTs: "2024-03-10T00:00:00.000-05:00",
        endTs: "2024-03-11T00:00:00.000-04:00",
        startLocal: "2024-03-10T00:00:00",
        endLocal: "2024-03-11T00:00:00",
      },
    },
    {
      name: "New York 25 h day",
      type: "daily",
      timezone: "America/New_York",
      start: "2024-01-01",
      from: "2024-11-03",
      to: "2024-11-03",
      bounds: {
        startDate: "2024-11-03",
        endDate: "2024-11-04",
        startTs: "2024-11-03T00:00:00.000-04:00",
        endTs: "2024-11-04T00:00:00.000-05:00",
        startLocal: "2024-11-03T00:00:00",
        endLocal: "2024-11-04T00:00:00",
      },
    },
    {
      name: "Berlin 23 h day",
      type: "daily",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      from: "2024-03-31",
      to: "2024-03-31",
      bounds: {
        startDate: "2024-03-31",
        endDate: "2024-04-01",
        startTs: "2024-03-31T00:00:00.000+01:00",
        endTs: "2024-04-01T00:00:00.000+02:00",
        startLocal: "2024-03-31T00:00:00",
        endLocal: "2024-04-01T00:00:00",
      },
    },
    {
      name: "Berlin 25 h day",
      type: "daily",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      from: "2024-10-27",
      to: "2024-10-27",
      bounds: {
        startDate: "2024-10-27",
        endDate: "2024-10-28",
        startTs: "2024-10-27T00:00:00.000+02:00",
        endTs: "2024-10-28T00:00:00.000+01:00",
        startLocal: "2024-10-27T00:00:00",
        endLocal: "2024-10-28T00:00:00",
      },
    },
    {
      name: "hourly uses date-times in startDate/endDate",
      type: "hourly",
      timezone: "UTC",
      start: "2024-01-01",
      from: "2024-01-01-22:00",
      to: "2024-01-01-23:00",
      bounds: {
        startDate: "2024-01-01 22:00:00",
        endDate: "2024-01-02 00:00:00",
        startTs: "2024-01-01T22:00:00.000Z",
        endTs: "2024-01-02T00:00:00.000Z",
        startLocal: "2024-01-01T22:00:00",
        endLocal: "2024-01-02T00:00:00",
      },
    },
    {
      name: "weekly across a month end",
      type: "weekly",
      timezone: "UTC",
      start: "2023-12-31",
      from: "2024-01-28",
      to: "2024-01-28",
      bounds: {
        startDate: "2024-01-28",
        endDate: "2024-02-04",
        startTs: "2024-01-28T00:00:00.000Z",
        endTs: "2024-02-04T00:00:00.000Z",
        startLocal: "2024-01-28T00:00:00",
        endLocal: "2024-02-04T00:00:00",
      },
    },
    {
      name: "monthly January to February",
      type: "monthly",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      from: "2024-01-01",
      to: "2024-02-01",
      bounds: {
        startDate: "2024-01-01",
        endDate: "2024-03-01",
        startTs: "2024-01-01T00:00:00.000+01:00",
        endTs: "2024-03-01T00:00:00.000+01:00",
        startLocal: "2024-01-01T00:00:00",
        endLocal: "2024-03-01T00:00:00",
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const def = definePartitions({ name: c.type, type: c.type, start: c.start, timezone: c.timezone });
      const bounds = windowBounds(def, c.from, c.to);
      assert.deepEqual({ ...bounds }, { ...c.bounds, timezone: c.timezone });
      assert.deepEqual(
        { ...windowVars(bounds) },
        {
          min_date: c.bounds.startDate,
          max_date: c.bounds.endDate,
          min_ts: c.bounds.startTs,
          max_ts: c.bounds.endTs,
        },
      );
    });
  }

  it("rejects a reversed range and bad keys", () => {
    const def = definePartitions({ name: "daily", type: "daily", start: "2024-01-01" });
    assert.throws(() => windowBounds(def, "2024-01-05", "2024-01-01"), { code: "ALMANAC_BAD_PARTITION_RANGE" });
    assert.throws(() => windowBounds(def, "2024-1-5", "2024-01-06"), { code: "ALMANAC_BAD_PARTITION_KEY" });
    assert.throws(() => windowBounds(def, "2023-12-31", "2024-01-06"), { code: "ALMANAC_PARTITION_OUT_OF_RANGE" });
  });
});
