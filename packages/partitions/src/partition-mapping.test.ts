import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import { countPartitions } from "./key-range.js";
import { downstreamKeysOf, type KeyRange, type TimeWindowMapping, upstreamKeysOf } from "./partition-mapping.js";
import type { PartitionsDefinition } from "./types.js";

const ny = "America/New_York";
const nyHourly = definePartitions({ name: "ny_hourly", type: "hourly", start: "2024-01-01", timezone: ny });
const nyDaily = definePartitions({ name: "ny_daily", type: "daily", start: "2024-01-01", timezone: ny });
const nyMonthly = definePartitions({ name: "ny_monthly", type: "monthly", start: "2024-01-01", timezone: ny });
const utcDaily = definePartitions({ name: "utc_daily", type: "daily", start: "2024-01-01" });
const utcHourly = definePartitions({ name: "utc_hourly", type: "hourly", start: "2024-01-01" });
const shortDaily = definePartitions({ name: "short", type: "daily", start: "2024-01-01", end: "2024-01-11" });

interface Case {
  readonly name: string;
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly keys: KeyRange;
  readonly mapping?: TimeWindowMapping;
  /** The upstream range read, and how many upstream partitions it holds. */
  readonly reads: (KeyRange & { count: number }) | undefined;
}

const cases: Case[] = [
  {
    name: "a New York day reads its 24 hours",
    downstream: nyDaily,
    upstream: nyHourly,
    keys: { from: "2024-03-05", to: "2024-03-05" },
    reads: { from: "2024-03-05-00:00", to: "2024-03-05-23:00", count: 24 },
  },
  {
    name: "the spring-forward day reads 23 hours",
    downstream: nyDaily,
    upstream: nyHourly,
    keys: { from: "2024-03-10", to: "2024-03-10" },
    reads: { from: "2024-03-10-00:00", to: "2024-03-10-23:00", count: 23 },
  },
  {
    name: "the fall-back day reads 25 hours",
    downstream: nyDaily,
    upstream: nyHourly,
    keys: { from: "2024-11-03", to: "2024-11-03" },
    reads: { from: "2024-11-03-00:00", to: "2024-11-03-23:00", count: 25 },
  },
  {
    name: "March in New York reads 743 hours",
    downstream: nyDaily,
    upstream: nyHourly,
    keys: { from: "2024-03-01", to: "2024-03-31" },
    reads: { from: "2024-03-01-00:00", to: "2024-03-31-23:00", count: 743 },
  },
  {
    name: "a month reads its days",
    downstream: nyMonthly,
    upstream: nyDaily,
    keys: { from: "2024-02-01", to: "2024-02-01" },
    reads: { from: "2024-02-01", to: "2024-02-29", count: 29 },
  },
  {
    name: "a day reads the month it lies in",
    downstream: nyDaily,
    upstream: nyMonthly,
    keys: { from: "2024-02-10", to: "2024-02-12" },
    reads: { from: "2024-02-01", to: "2024-02-01", count: 1 },
  },
  {
    name: "a New York day reads the two UTC days it overlaps",
    downstream: nyDaily,
    upstream: utcDaily,
    keys: { from: "2024-03-05", to: "2024-03-05" },
    reads: { from: "2024-03-05", to: "2024-03-06", count: 2 },
  },
  {
    name: "a UTC day reads the UTC hours of its window",
    downstream: utcDaily,
    upstream: utcHourly,
    keys: { from: "2024-03-10", to: "2024-03-10" },
    reads: { from: "2024-03-10-00:00", to: "2024-03-10-23:00", count: 24 },
  },
  {
    name: "a rolling week reads the day and the six before it",
    downstream: nyDaily,
    upstream: nyDaily,
    keys: { from: "2024-03-11", to: "2024-03-11" },
    mapping: { startOffset: -6, endOffset: 0 },
    reads: { from: "2024-03-05", to: "2024-03-11", count: 7 },
  },
  {
    name: "the first day's rolling week is clipped to one day",
    downstream: nyDaily,
    upstream: nyDaily,
    keys: { from: "2024-01-01", to: "2024-01-01" },
    mapping: { startOffset: -6, endOffset: 0 },
    reads: { from: "2024-01-01", to: "2024-01-01", count: 1 },
  },
  {
    name: "a running total reads its own day before",
    downstream: nyDaily,
    upstream: nyDaily,
    keys: { from: "2024-03-11", to: "2024-03-11" },
    mapping: { startOffset: -1, endOffset: -1 },
    reads: { from: "2024-03-10", to: "2024-03-10", count: 1 },
  },
  {
    name: "the first day of a running total reads nothing",
    downstream: nyDaily,
    upstream: nyDaily,
    keys: { from: "2024-01-01", to: "2024-01-01" },
    mapping: { startOffset: -1, endOffset: -1 },
    reads: undefined,
  },
  {
    name: "offsets past the upstream's end are clipped",
    downstream: utcDaily,
    upstream: shortDaily,
    keys: { from: "2024-01-09", to: "2024-01-09" },
    mapping: { startOffset: 0, endOffset: 3 },
    reads: { from: "2024-01-09", to: "2024-01-10", count: 2 },
  },
  {
    name: "offsets count upstream partitions: a day and the hour before it",
    downstream: nyDaily,
    upstream: nyHourly,
    keys: { from: "2024-03-05", to: "2024-03-05" },
    mapping: { startOffset: -1, endOffset: 0 },
    reads: { from: "2024-03-04-23:00", to: "2024-03-05-23:00", count: 25 },
  },
];

describe("upstreamKeysOf", () => {
  for (const c of cases) {
    it(c.name, () => {
      const read = upstreamKeysOf(c.downstream, c.keys, c.upstream, c.mapping);
      if (c.reads === undefined) return assert.equal(read, undefined);
      assert.deepEqual(read, { from: c.reads.from, to: c.reads.to });
      assert.equal(countPartitions(c.upstream, c.reads.from, c.reads.to), c.reads.count);
    });
  }
});

describe("downstreamKeysOf", () => {
  const inverse: {
    name: string;
    upstream: PartitionsDefinition;
    downstream: PartitionsDefinition;
    keys: KeyRange;
    mapping?: TimeWindowMapping;
    readers: KeyRange | undefined;
  }[] = [
    {
      name: "an hour is read by its New York day",
      upstream: nyHourly,
      downstream: nyDaily,
      keys: { from: "2024-03-10-23:00", to: "2024-03-10-23:00" },
      readers: { from: "2024-03-10", to: "2024-03-10" },
    },
    {
      name: "the repeated hour of fall back is read by its day",
      upstream: nyHourly,
      downstream: nyDaily,
      keys: { from: "2024-11-03-01:00-0500", to: "2024-11-03-01:00-0500" },
      readers: { from: "2024-11-03", to: "2024-11-03" },
    },
    {
      name: "a re-run day makes the seven rolling weeks that read it stale",
      upstream: nyDaily,
      downstream: nyDaily,
      keys: { from: "2024-03-05", to: "2024-03-05" },
      mapping: { startOffset: -6, endOffset: 0 },
      readers: { from: "2024-03-05", to: "2024-03-11" },
    },
    {
      name: "a day is read by the running total of the next day",
      upstream: nyDaily,
      downstream: nyDaily,
      keys: { from: "2024-03-05", to: "2024-03-05" },
      mapping: { startOffset: -1, endOffset: -1 },
      readers: { from: "2024-03-06", to: "2024-03-06" },
    },
    {
      name: "a day is read by its month",
      upstream: nyDaily,
      downstream: nyMonthly,
      keys: { from: "2024-02-29", to: "2024-03-01" },
      readers: { from: "2024-02-01", to: "2024-03-01" },
    },
    {
      name: "readers past the downstream's end are clipped",
      upstream: utcDaily,
      downstream: shortDaily,
      keys: { from: "2024-01-10", to: "2024-01-12" },
      mapping: { startOffset: -6, endOffset: 0 },
      readers: { from: "2024-01-10", to: "2024-01-10" },
    },
    {
      name: "days after the downstream's end have no readers",
      upstream: utcDaily,
      downstream: shortDaily,
      keys: { from: "2024-01-12", to: "2024-01-13" },
      readers: undefined,
    },
  ];
  for (const c of inverse) {
    it(c.name, () => {
      assert.deepEqual(downstreamKeysOf(c.upstream, c.keys, c.downstream, c.mapping), c.readers);
    });
  }

  it("inverts upstreamKeysOf over a year of New York days and hours", () => {
    // Every hour of 2024 is read by exactly the days whose upstream range contains it.
    const mapping = { startOffset: -2, endOffset: 1 };
    for (
      let day = new Date(Date.UTC(2024, 0, 1));
      day.getUTCFullYear() === 2024;
      day.setUTCDate(day.getUTCDate() + 1)
    ) {
      const key = day.toISOString().slice(0, 10);
      const read = upstreamKeysOf(nyDaily, { from: key, to: key }, nyHourly, mapping);
      assert.ok(read);
      for (const hour of [read.from, read.to]) {
        const readers = downstreamKeysOf(nyHourly, { from: hour, to: hour }, nyDaily, mapping);
        assert.ok(readers && readers.from <= key && key <= readers.to, `${hour} is read by ${key}`);
      }
    }
  });
});
