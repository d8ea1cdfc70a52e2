import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { definePartitions } from "./define-partitions.js";
import { keyForInstant, nextKey, previousKey, validatePartitionKey, windowForKey } from "./partition-key.js";

const daily = definePartitions({ name: "daily", type: "daily", start: "2024-01-01", end: "2025-01-01" });
const openDaily = definePartitions({ name: "daily_open", type: "daily", start: "2024-01-01" });
const weekly = definePartitions({ name: "weekly", type: "weekly", start: "2023-12-31" });
const monthly = definePartitions({ name: "monthly", type: "monthly", start: "2024-01-01", end: "2024-07-01" });
const hourly = definePartitions({ name: "hourly", type: "hourly", start: "2024-01-01-00:00" });
const defs = { daily, openDaily, weekly, monthly, hourly };

describe("validatePartitionKey: accepted keys", () => {
  const cases: { def: keyof typeof defs; key: string }[] = [
    { def: "daily", key: "2024-01-01" },
    { def: "daily", key: "2024-02-29" },
    { def: "daily", key: "2024-12-31" },
    { def: "openDaily", key: "2099-12-31" },
    { def: "weekly", key: "2023-12-31" },
    { def: "weekly", key: "2024-03-10" },
    { def: "monthly", key: "2024-06-01" },
    { def: "hourly", key: "2024-01-01-00:00" },
    { def: "hourly", key: "2024-02-29-23:00" },
  ];
  for (const c of cases) {
    it(`${c.def} ${c.key}`, () => {
      validatePartitionKey(defs[c.def], c.key);
      assert.equal(windowForKey(defs[c.def], c.key).key, c.key);
    });
  }
});

describe("validatePartitionKey: rejected keys", () => {
  const cases: { def: keyof typeof defs; key: string; code: string; message: RegExp }[] = [
    {
      def: "daily",
      key: "2024-3-5",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message:
        /^partition key "2024-3-5" is not a canonical key of "daily" \(expected yyyy-MM-dd, e.g. "2024-03-05"\)$/,
    },
    {
      def: "daily",
      key: "2024-03-5",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message:
        /^partition key "2024-03-5" is not a canonical key of "daily" \(expected yyyy-MM-dd, e.g. "2024-03-05"\)$/,
    },
    {
      def: "daily",
      key: "abc",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /^partition key "abc" is not a valid key of "daily" \(expected yyyy-MM-dd, e.g. "2024-01-01"\)$/,
    },
    {
      def: "daily",
      key: "",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /^partition key "" is not a valid key of "daily"/,
    },
    {
      def: "daily",
      key: "2024-13-01",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /^partition key "2024-13-01" is not a valid key of "daily": no such date or time \(expected yyyy-MM-dd/,
    },
    {
      def: "daily",
      key: "2023-02-29",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /^partition key "2023-02-29" is not a valid key of "daily": no such date or time/,
    },
    {
      def: "daily",
      key: "2024-01-01T00:00",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /^partition key "2024-01-01T00:00" is not a valid key of "daily"/,
    },
    { def: "daily", key: " 2024-01-01", code: "ALMANAC_BAD_PARTITION_KEY", message: /not a valid key/ },
    {
      def: "daily",
      key: "2023-12-31",
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
      message: /^partition key "2023-12-31" is before the start of "daily" \(2024-01-01\)$/,
    },
    {
      def: "daily",
      key: "2025-01-01",
      code: "ALMANAC_PARTITION_OUT_OF_RANGE",
      message:
        /^partition key "2025-01-01" is at or after the end of "daily" \(2025-01-01, exclusive; the last key is "2024-12-31"\)$/,
    },
    { def: "daily", key: "2030-06-01", code: "ALMANAC_PARTITION_OUT_OF_RANGE", message: /at or after the end/ },
    {
      def: "weekly",
      key: "2024-01-03",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message:
        /^partition key "2024-01-03" is not the start of a window of "weekly" \(weekly windows start on Sunday at midnight; the window containing it is "2023-12-31"\)$/,
    },
    {
      def: "monthly",
      key: "2024-01-15",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /monthly windows start on the 1st at midnight; the window containing it is "2024-01-01"/,
    },
    { def: "monthly", key: "2024-07-01", code: "ALMANAC_PARTITION_OUT_OF_RANGE", message: /at or after the end/ },
    {
      def: "hourly",
      key: "2024-01-01-00:30",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /hourly windows start on the hour; the window containing it is "2024-01-01-00:00"/,
    },
    {
      def: "hourly",
      key: "2024-01-01",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message:
        /^partition key "2024-01-01" is not a valid key of "hourly" \(expected yyyy-MM-dd-HH:mm, e.g. "2024-01-01-00:00"\)$/,
    },
    {
      def: "hourly",
      key: "2024-01-01-5:00",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /not a canonical key of "hourly" \(expected yyyy-MM-dd-HH:mm, e.g. "2024-01-01-05:00"\)/,
    },
    { def: "hourly", key: "2023-12-31-23:00", code: "ALMANAC_PARTITION_OUT_OF_RANGE", message: /before the start/ },
  ];
  for (const c of cases) {
    it(`${c.def} ${JSON.stringify(c.key)} → ${c.code}`, () => {
      assert.throws(() => validatePartitionKey(defs[c.def], c.key), { code: c.code, message: c.message });
      assert.throws(() => windowForKey(defs[c.def], c.key), { code: c.code });
    });
  }

  it("a non-string key is a bad key, not a crash", () => {
    assert.throws(() => validatePartitionKey(daily, 20240101 as unknown as string), {
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /partition key 20240101 \(a number\) is not a valid key of "daily"/,
    });
  });

  it("errors name the key and the definition, on one line, with details", () => {
    try {
      windowForKey(daily, "2024-3-5");
      assert.fail("expected an error");
    } catch (error) {
      assert.ok(isAlmanacError(error));
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, /"2024-3-5"/);
      assert.match(error.message, /"daily"/);
      assert.doesNotMatch(error.message, /\n/);
      assert.deepEqual(error.details, { key: "2024-3-5", definition: "daily", expected: "2024-03-05" });
    }
  });
});

describe("keyForInstant: the key of the window holding an instant (no range check)", () => {
  const ny = definePartitions({ name: "ny", type: "daily", start: "2024-01-01", timezone: "America/New_York" });
  const nyHourly = definePartitions({ name: "nyh", type: "hourly", start: "2024-01-01", timezone: "America/New_York" });
  const cases: { name: string; def: typeof daily; instant: string; key: string }[] = [
    { name: "UTC midnight", def: daily, instant: "2024-05-01T00:00:00Z", key: "2024-05-01" },
    { name: "UTC last millisecond", def: daily, instant: "2024-05-01T23:59:59.999Z", key: "2024-05-01" },
    { name: "before start", def: daily, instant: "2023-06-01T12:00:00Z", key: "2023-06-01" },
    { name: "after end", def: daily, instant: "2026-06-01T12:00:00Z", key: "2026-06-01" },
    { name: "New York evening is the previous UTC day", def: ny, instant: "2024-05-02T03:59:59Z", key: "2024-05-01" },
    { name: "New York midnight", def: ny, instant: "2024-05-02T04:00:00Z", key: "2024-05-02" },
    { name: "weekly mid-week", def: weekly, instant: "2024-01-10T12:00:00Z", key: "2024-01-07" },
    { name: "weekly Saturday night", def: weekly, instant: "2024-01-06T23:59:59Z", key: "2023-12-31" },
    { name: "monthly", def: monthly, instant: "2024-02-29T12:00:00Z", key: "2024-02-01" },
    { name: "hourly", def: hourly, instant: "2024-01-01T05:59:59Z", key: "2024-01-01-05:00" },
    { name: "hourly first pass of 01:00", def: nyHourly, instant: "2024-11-03T05:30:00Z", key: "2024-11-03-01:00" },
    {
      name: "hourly second pass of 01:00",
      def: nyHourly,
      instant: "2024-11-03T06:30:00Z",
      key: "2024-11-03-01:00-0500",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(keyForInstant(c.def, new Date(c.instant)), c.key));
  }
});

describe("nextKey / previousKey", () => {
  const cases: { def: keyof typeof defs; key: string; next: string | undefined; previous: string | undefined }[] = [
    { def: "daily", key: "2024-01-01", next: "2024-01-02", previous: undefined },
    { def: "daily", key: "2024-01-31", next: "2024-02-01", previous: "2024-01-30" },
    { def: "daily", key: "2024-02-28", next: "2024-02-29", previous: "2024-02-27" },
    { def: "daily", key: "2024-12-31", next: undefined, previous: "2024-12-30" },
    { def: "weekly", key: "2024-01-28", next: "2024-02-04", previous: "2024-01-21" },
    { def: "monthly", key: "2024-01-01", next: "2024-02-01", previous: undefined },
    { def: "monthly", key: "2024-06-01", next: undefined, previous: "2024-05-01" },
    { def: "hourly", key: "2024-01-01-23:00", next: "2024-01-02-00:00", previous: "2024-01-01-22:00" },
  ];
  for (const c of cases) {
    it(`${c.def} ${c.key}`, () => {
      assert.equal(nextKey(defs[c.def], c.key), c.next);
      assert.equal(previousKey(defs[c.def], c.key), c.previous);
    });
  }
});
