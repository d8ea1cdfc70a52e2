import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import { firstPartitionKey, lastPartitionKey, partitionKeys } from "./last-partition.js";
import { validatePartitionKey } from "./partition-key.js";
import type { PartitionGranularity } from "./types.js";

describe("lastPartitionKey: end_offset against a given now", () => {
  const cases: {
    name: string;
    type?: PartitionGranularity;
    start?: string;
    end?: string;
    timezone?: string;
    endOffset: number;
    now: string;
    last: string | undefined;
  }[] = [
    { name: "0, mid-day: yesterday", endOffset: 0, now: "2024-05-02T10:00:00Z", last: "2024-05-01" },
    { name: "1, mid-day: today (open window)", endOffset: 1, now: "2024-05-02T10:00:00Z", last: "2024-05-02" },
    { name: "-1, mid-day: the day before yesterday", endOffset: -1, now: "2024-05-02T10:00:00Z", last: "2024-04-30" },
    { name: "2, mid-day: tomorrow", endOffset: 2, now: "2024-05-02T10:00:00Z", last: "2024-05-03" },
    {
      name: "0, exactly at midnight: the day that just ended",
      endOffset: 0,
      now: "2024-05-02T00:00:00Z",
      last: "2024-05-01",
    },
    { name: "0, one ms before midnight", endOffset: 0, now: "2024-05-01T23:59:59.999Z", last: "2024-04-30" },
    {
      name: "1, exactly at midnight: the day just opened",
      endOffset: 1,
      now: "2024-05-02T00:00:00Z",
      last: "2024-05-02",
    },
    { name: "-1, exactly at midnight", endOffset: -1, now: "2024-05-02T00:00:00Z", last: "2024-04-30" },
    { name: "0, inside the first window: none", endOffset: 0, now: "2024-01-01T12:00:00Z", last: undefined },
    { name: "0, first window just ended", endOffset: 0, now: "2024-01-02T00:00:00Z", last: "2024-01-01" },
    { name: "1, inside the first window", endOffset: 1, now: "2024-01-01T12:00:00Z", last: "2024-01-01" },
    { name: "-1, first window just ended: none", endOffset: -1, now: "2024-01-02T00:00:00Z", last: undefined },
    { name: "0, before start: none", endOffset: 0, now: "2023-06-01T00:00:00Z", last: undefined },
    { name: "1, before start: none", endOffset: 1, now: "2023-12-31T23:59:59Z", last: undefined },
    {
      name: "0, New York 23:59 local (04:59 UTC next day)",
      timezone: "America/New_York",
      endOffset: 0,
      now: "2024-05-02T03:59:59Z",
      last: "2024-04-30",
    },
    {
      name: "0, New York exactly local midnight (04:00 UTC)",
      timezone: "America/New_York",
      endOffset: 0,
      now: "2024-05-02T04:00:00Z",
      last: "2024-05-01",
    },
    {
      name: "1, Tokyo shortly after local midnight (still the previous UTC day)",
      timezone: "Asia/Tokyo",
      endOffset: 1,
      now: "2024-05-01T15:30:00Z",
      last: "2024-05-02",
    },
    {
      name: "0, Tokyo shortly after local midnight",
      timezone: "Asia/Tokyo",
      endOffset: 0,
      now: "2024-05-01T15:30:00Z",
      last: "2024-05-01",
    },
    {
      name: "0, Berlin right after the 25 h day ended",
      timezone: "Europe/Berlin",
      endOffset: 0,
      now: "2024-10-27T23:00:00Z",
      last: "2024-10-27",
    },
    {
      name: "0, Berlin one second before the 25 h day ended",
      timezone: "Europe/Berlin",
      endOffset: 0,
      now: "2024-10-27T22:59:59Z",
      last: "2024-10-26",
    },
    { name: "0, capped by end", end: "2024-03-01", endOffset: 0, now: "2025-01-01T00:00:00Z", last: "2024-02-29" },
    { name: "1, capped by end", end: "2024-03-01", endOffset: 1, now: "2024-02-29T12:00:00Z", last: "2024-02-29" },
    { name: "hourly 0", type: "hourly", endOffset: 0, now: "2024-05-02T10:30:00Z", last: "2024-05-02-09:00" },
    {
      name: "hourly 1 at the hour",
      type: "hourly",
      endOffset: 1,
      now: "2024-05-02T10:00:00Z",
      last: "2024-05-02-10:00",
    },
    {
      name: "weekly 0 on a Sunday",
      type: "weekly",
      start: "2023-12-31",
      endOffset: 0,
      now: "2024-01-07T00:00:00Z",
      last: "2023-12-31",
    },
    {
      name: "weekly 0 on a Saturday",
      type: "weekly",
      start: "2023-12-31",
      endOffset: 0,
      now: "2024-01-13T12:00:00Z",
      last: "2023-12-31",
    },
    { name: "monthly 0 mid-month", type: "monthly", endOffset: 0, now: "2024-03-15T00:00:00Z", last: "2024-02-01" },
    { name: "monthly 1 mid-month", type: "monthly", endOffset: 1, now: "2024-03-15T00:00:00Z", last: "2024-03-01" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const type = c.type ?? "daily";
      const def = definePartitions({
        name: type,
        type,
        start: c.start ?? "2024-01-01",
        end: c.end,
        timezone: c.timezone,
        endOffset: c.endOffset,
      });
      const now = new Date(c.now);
      assert.equal(lastPartitionKey(def, now), c.last);
      const keys = partitionKeys(def, now);
      assert.equal(keys.at(-1), c.last);
      // The first key without the list: what status reads use for a range's open end.
      assert.equal(firstPartitionKey(def, now), keys[0]);
      if (c.last !== undefined) {
        assert.equal(keys[0], def.type === "hourly" ? "2024-01-01-00:00" : (c.start ?? "2024-01-01"));
        validatePartitionKey(def, c.last, now);
      }
    });
  }
});

describe("validatePartitionKey with now", () => {
  const def = definePartitions({ name: "daily", type: "daily", start: "2024-01-01" });
  const now = new Date("2024-05-02T10:00:00Z");

  it("accepts the last partition and older ones", () => {
    validatePartitionKey(def, "2024-05-01", now);
    validatePartitionKey(def, "2024-01-01", now);
  });

  it("rejects the open window with end_offset 0", () => {
    assert.throws(() => validatePartitionKey(def, "2024-05-02", now), {
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
      message:
        /^partition key "2024-05-02" is after the last partition of "daily" at 2024-05-02T10:00:00.000Z \(the last is "2024-05-01"; a window counts once it has ended\)$/,
    });
  });

  it("accepts the same key without now (windowForKey does not need now)", () => {
    validatePartitionKey(def, "2024-05-02");
  });

  it("says when no partition exists yet", () => {
    assert.throws(() => validatePartitionKey(def, "2024-01-01", new Date("2024-01-01T06:00:00Z")), {
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
      message: /no partition exists yet/,
    });
  });

  it("rejects an invalid now", () => {
    assert.throws(() => lastPartitionKey(def, new Date("nope")), TypeError);
  });
});
