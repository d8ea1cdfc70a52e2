import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import { countPartitions, partitionKeysInRange } from "./key-range.js";
import type { PartitionsDefinition } from "./types.js";

const daily = definePartitions({ name: "daily", type: "daily", start: "2014-01-01", end: "2030-01-01" });
const berlinDaily = definePartitions({ name: "berlin", type: "daily", start: "2024-01-01", timezone: "Europe/Berlin" });
const hourly = definePartitions({ name: "hourly", type: "hourly", start: "2014-01-01-00:00" });
const nyHourly = definePartitions({
  name: "ny_hourly",
  type: "hourly",
  start: "2014-01-01",
  timezone: "America/New_York",
});
const weekly = definePartitions({ name: "weekly", type: "weekly", start: "2023-12-31" });
const monthly = definePartitions({ name: "monthly", type: "monthly", start: "2023-01-01" });

describe("partitionKeysInRange / countPartitions: inclusive at both ends", () => {
  const cases: {
    name: string;
    def: PartitionsDefinition;
    from: string;
    to: string;
    count: number;
    first: string;
    last: string;
    contains?: string[];
  }[] = [
    {
      name: "22 daily keys",
      def: daily,
      from: "2024-01-01",
      to: "2024-01-22",
      count: 22,
      first: "2024-01-01",
      last: "2024-01-22",
    },
    {
      name: "one key",
      def: daily,
      from: "2024-05-05",
      to: "2024-05-05",
      count: 1,
      first: "2024-05-05",
      last: "2024-05-05",
    },
    {
      name: "across a leap day",
      def: daily,
      from: "2024-02-27",
      to: "2024-03-02",
      count: 5,
      first: "2024-02-27",
      last: "2024-03-02",
      contains: ["2024-02-29"],
    },
    {
      name: "across February 2023 (no leap day)",
      def: daily,
      from: "2023-02-27",
      to: "2023-03-02",
      count: 4,
      first: "2023-02-27",
      last: "2023-03-02",
      contains: ["2023-02-28", "2023-03-01"],
    },
    {
      name: "daily across Berlin DST days",
      def: berlinDaily,
      from: "2024-03-30",
      to: "2024-10-28",
      count: 213,
      first: "2024-03-30",
      last: "2024-10-28",
      contains: ["2024-03-31", "2024-10-27"],
    },
    {
      name: "ten years of days",
      def: daily,
      from: "2014-01-01",
      to: "2023-12-31",
      count: 3652,
      first: "2014-01-01",
      last: "2023-12-31",
    },
    {
      name: "hourly across midnight",
      def: hourly,
      from: "2024-01-01-22:00",
      to: "2024-01-02-02:00",
      count: 5,
      first: "2024-01-01-22:00",
      last: "2024-01-02-02:00",
      contains: ["2024-01-02-00:00"],
    },
    {
      name: "New York hourly over the fall-back day: 25 keys",
      def: nyHourly,
      from: "2024-11-03-00:00",
      to: "2024-11-03-23:00",
      count: 25,
      first: "2024-11-03-00:00",
      last: "2024-11-03-23:00",
      contains: ["2024-11-03-01:00", "2024-11-03-01:00-0500"],
    },
    {
      name: "New York hourly over the spring-forward day: 23 keys",
      def: nyHourly,
      from: "2024-03-10-00:00",
      to: "2024-03-10-23:00",
      count: 23,
      first: "2024-03-10-00:00",
      last: "2024-03-10-23:00",
    },
    {
      name: "weekly over two months",
      def: weekly,
      from: "2023-12-31",
      to: "2024-02-25",
      count: 9,
      first: "2023-12-31",
      last: "2024-02-25",
      contains: ["2024-01-28", "2024-02-04"],
    },
    {
      name: "monthly across a year end",
      def: monthly,
      from: "2023-11-01",
      to: "2024-02-01",
      count: 4,
      first: "2023-11-01",
      last: "2024-02-01",
      contains: ["2023-12-01", "2024-01-01"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const keys = partitionKeysInRange(c.def, c.from, c.to);
      assert.equal(keys.length, c.count);
      assert.equal(countPartitions(c.def, c.from, c.to), c.count);
      assert.equal(keys[0], c.first);
      assert.equal(keys.at(-1), c.last);
      assert.equal(new Set(keys).size, keys.length, "keys are unique");
      for (const key of c.contains ?? []) assert.ok(keys.includes(key), `contains ${key}`);
    });
  }

  it("the New York spring-forward day has no 02:00 key", () => {
    const keys = partitionKeysInRange(nyHourly, "2024-03-10-00:00", "2024-03-10-04:00");
    assert.deepEqual(keys, ["2024-03-10-00:00", "2024-03-10-01:00", "2024-03-10-03:00", "2024-03-10-04:00"]);
  });
});

describe("partitionKeysInRange: bad ranges", () => {
  const cases: { name: string; def: PartitionsDefinition; from: string; to: string; code: string; message: RegExp }[] =
    [
      {
        name: "from after to",
        def: daily,
        from: "2024-01-22",
        to: "2024-01-01",
        code: "ALMANAC_BAD_PARTITION_RANGE",
        message:
          /^partition range "2024-01-22".."2024-01-01" of "daily" is reversed \(from must not be after to; did you mean "2024-01-01".."2024-01-22"\?\)$/,
      },
      {
        name: "hourly from after to",
        def: hourly,
        from: "2024-01-01-01:00",
        to: "2024-01-01-00:00",
        code: "ALMANAC_BAD_PARTITION_RANGE",
        message: /reversed/,
      },
      {
        name: "malformed from",
        def: daily,
        from: "2024-1-1",
        to: "2024-01-05",
        code: "ALMANAC_BAD_PARTITION_KEY",
        message: /"2024-1-1"/,
      },
      {
        name: "malformed to",
        def: daily,
        from: "2024-01-01",
        to: "tomorrow",
        code: "ALMANAC_BAD_PARTITION_KEY",
        message: /"tomorrow"/,
      },
      {
        name: "from before start",
        def: daily,
        from: "2013-12-31",
        to: "2014-01-05",
        code: "ALMANAC_PARTITION_OUT_OF_RANGE",
        message: /before the start/,
      },
      {
        name: "to at end",
        def: daily,
        from: "2029-12-01",
        to: "2030-01-01",
        code: "ALMANAC_PARTITION_OUT_OF_RANGE",
        message: /at or after the end/,
      },
      {
        name: "misaligned weekly",
        def: weekly,
        from: "2024-01-01",
        to: "2024-02-04",
        code: "ALMANAC_BAD_PARTITION_KEY",
        message: /Sunday/,
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(() => partitionKeysInRange(c.def, c.from, c.to), { code: c.code, message: c.message });
      assert.throws(() => countPartitions(c.def, c.from, c.to), { code: c.code });
    });
  }
});

describe("partitionKeysInRange: long ranges", () => {
  // Speed is measured in bench/, not asserted here; these check the fast path stays correct.
  const cases: { name: string; def: PartitionsDefinition; from: string; to: string; count: number }[] = [
    { name: "3,652 daily keys", def: daily, from: "2014-01-01", to: "2023-12-31", count: 3652 },
    { name: "87,648 hourly keys (UTC)", def: hourly, from: "2014-01-01-00:00", to: "2023-12-31-23:00", count: 87_648 },
    {
      name: "87,648 hourly keys (New York)",
      def: nyHourly,
      from: "2014-01-01-00:00",
      to: "2023-12-31-23:00",
      count: 87_648,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const keys = partitionKeysInRange(c.def, c.from, c.to);
      assert.equal(keys.length, c.count);
      assert.equal(keys[0], c.from);
      assert.equal(keys.at(-1), c.to);
      assert.equal(new Set(keys).size, c.count);
    });
  }
});
