import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import { windowForKey } from "./partition-key.js";
import type { PartitionGranularity } from "./types.js";

function hoursOf(window: ReturnType<typeof windowForKey>): number {
  return window.end.diff(window.start, "hours").hours;
}

describe("windowForKey: window lengths and offsets, DST included", () => {
  const cases: {
    name: string;
    type: PartitionGranularity;
    timezone: string;
    start: string;
    key: string;
    hours: number;
    startIso: string;
    endIso: string;
  }[] = [
    {
      name: "UTC plain day",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      key: "2024-01-15",
      hours: 24,
      startIso: "2024-01-15T00:00:00.000Z",
      endIso: "2024-01-16T00:00:00.000Z",
    },
    {
      name: "New York spring forward: 23 h",
      type: "daily",
      timezone: "America/New_York",
      start: "2024-01-01",
      key: "2024-03-10",
      hours: 23,
      startIso: "2024-03-10T00:00:00.000-05:00",
      endIso: "2024-03-11T00:00:00.000-04:00",
    },
    {
      name: "New York fall back: 25 h",
      type: "daily",
      timezone: "America/New_York",
      start: "2024-01-01",
      key: "2024-11-03",
      hours: 25,
      startIso: "2024-11-03T00:00:00.000-04:00",
      endIso: "2024-11-04T00:00:00.000-05:00",
    },
    {
      name: "New York day before spring forward: 24 h",
      type: "daily",
      timezone: "America/New_York",
      start: "2024-01-01",
      key: "2024-03-09",
      hours: 24,
      startIso: "2024-03-09T00:00:00.000-05:00",
      endIso: "2024-03-10T00:00:00.000-05:00",
    },
    {
      name: "Berlin spring forward: 23 h",
      type: "daily",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      key: "2024-03-31",
      hours: 23,
      startIso: "2024-03-31T00:00:00.000+01:00",
      endIso: "2024-04-01T00:00:00.000+02:00",
    },
    {
      name: "Berlin fall back: 25 h",
      type: "daily",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      key: "2024-10-27",
      hours: 25,
      startIso: "2024-10-27T00:00:00.000+02:00",
      endIso: "2024-10-28T00:00:00.000+01:00",
    },
    {
      name: "Santiago skips midnight: the day starts at 01:00 and lasts 23 h",
      type: "daily",
      timezone: "America/Santiago",
      start: "2024-01-01",
      key: "2024-09-08",
      hours: 23,
      startIso: "2024-09-08T01:00:00.000-03:00",
      endIso: "2024-09-09T00:00:00.000-03:00",
    },
    {
      name: "Santiago repeats 23:00: the day before lasts 25 h",
      type: "daily",
      timezone: "America/Santiago",
      start: "2024-01-01",
      key: "2024-04-06",
      hours: 25,
      startIso: "2024-04-06T00:00:00.000-03:00",
      endIso: "2024-04-07T00:00:00.000-04:00",
    },
    {
      name: "leap day",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      key: "2024-02-29",
      hours: 24,
      startIso: "2024-02-29T00:00:00.000Z",
      endIso: "2024-03-01T00:00:00.000Z",
    },
    {
      name: "daily month end rolls into February",
      type: "daily",
      timezone: "UTC",
      start: "2024-01-01",
      key: "2024-01-31",
      hours: 24,
      startIso: "2024-01-31T00:00:00.000Z",
      endIso: "2024-02-01T00:00:00.000Z",
    },
    {
      name: "daily year end",
      type: "daily",
      timezone: "Asia/Tokyo",
      start: "2024-01-01",
      key: "2024-12-31",
      hours: 24,
      startIso: "2024-12-31T00:00:00.000+09:00",
      endIso: "2025-01-01T00:00:00.000+09:00",
    },
    {
      name: "monthly January: 31 days",
      type: "monthly",
      timezone: "UTC",
      start: "2024-01-01",
      key: "2024-01-01",
      hours: 31 * 24,
      startIso: "2024-01-01T00:00:00.000Z",
      endIso: "2024-02-01T00:00:00.000Z",
    },
    {
      name: "monthly February of a leap year: 29 days",
      type: "monthly",
      timezone: "UTC",
      start: "2024-01-01",
      key: "2024-02-01",
      hours: 29 * 24,
      startIso: "2024-02-01T00:00:00.000Z",
      endIso: "2024-03-01T00:00:00.000Z",
    },
    {
      name: "monthly February 2023: 28 days",
      type: "monthly",
      timezone: "UTC",
      start: "2023-01-01",
      key: "2023-02-01",
      hours: 28 * 24,
      startIso: "2023-02-01T00:00:00.000Z",
      endIso: "2023-03-01T00:00:00.000Z",
    },
    {
      name: "monthly March in Berlin loses the DST hour",
      type: "monthly",
      timezone: "Europe/Berlin",
      start: "2024-01-01",
      key: "2024-03-01",
      hours: 31 * 24 - 1,
      startIso: "2024-03-01T00:00:00.000+01:00",
      endIso: "2024-04-01T00:00:00.000+02:00",
    },
    {
      name: "weekly window across New York fall back",
      type: "weekly",
      timezone: "America/New_York",
      start: "2023-12-31",
      key: "2024-11-03",
      hours: 7 * 24 + 1,
      startIso: "2024-11-03T00:00:00.000-04:00",
      endIso: "2024-11-10T00:00:00.000-05:00",
    },
    {
      name: "weekly window across a month end",
      type: "weekly",
      timezone: "UTC",
      start: "2023-12-31",
      key: "2024-01-28",
      hours: 7 * 24,
      startIso: "2024-01-28T00:00:00.000Z",
      endIso: "2024-02-04T00:00:00.000Z",
    },
    {
      name: "a leap year in UTC (dbt microbatch's batch_size year)",
      type: "yearly",
      timezone: "UTC",
      start: "2023-01-01",
      key: "2024-01-01",
      hours: 366 * 24,
      startIso: "2024-01-01T00:00:00.000Z",
      endIso: "2025-01-01T00:00:00.000Z",
    },
    {
      name: "hourly in Kolkata (+05:30)",
      type: "hourly",
      timezone: "Asia/Kolkata",
      start: "2024-01-01-00:00",
      key: "2024-01-01-05:00",
      hours: 1,
      startIso: "2024-01-01T05:00:00.000+05:30",
      endIso: "2024-01-01T06:00:00.000+05:30",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const def = definePartitions({ name: c.type, type: c.type, start: c.start, timezone: c.timezone });
      const window = windowForKey(def, c.key);
      assert.equal(window.key, c.key);
      assert.equal(hoursOf(window), c.hours);
      assert.equal(window.start.toISO(), c.startIso);
      assert.equal(window.end.toISO(), c.endIso);
      assert.equal(window.start.zoneName, c.timezone);
    });
  }
});

describe("yearly windows", () => {
  const def = definePartitions({ name: "yearly", type: "yearly", start: "2020-01-01", timezone: "UTC" });
  it("a key inside a year is refused, naming the year's start", () => {
    assert.throws(() => windowForKey(def, "2024-03-01"), /yearly windows start on January 1st at midnight.*2024-01-01/);
  });
  it("a start that is not January 1st is refused", () => {
    assert.throws(
      () => definePartitions({ name: "y", type: "yearly", start: "2020-02-01" }),
      /is not January 1st at midnight, where yearly windows start \(use 2020-01-01\)/,
    );
  });
});
