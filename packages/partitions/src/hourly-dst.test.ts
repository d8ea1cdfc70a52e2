import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definePartitions } from "./define-partitions.js";
import { partitionKeysInRange } from "./key-range.js";
import { keyForInstant, nextKey, previousKey, validatePartitionKey, windowForKey } from "./partition-key.js";
import { windowBounds } from "./window-bounds.js";

// Hourly windows are fixed 3,600 s steps; keys are local wall times. The second pass of a
// repeated (fall-back) hour gets its UTC offset appended, as Dagster's dst_safe_strftime does.
const newYork = definePartitions({
  name: "ny_hourly",
  type: "hourly",
  start: "2024-01-01",
  timezone: "America/New_York",
});
const berlin = definePartitions({
  name: "berlin_hourly",
  type: "hourly",
  start: "2024-01-01",
  timezone: "Europe/Berlin",
});

describe("hourly keys around DST changes", () => {
  const cases: { name: string; def: typeof newYork; from: string; to: string; keys: string[]; utcStarts: string[] }[] =
    [
      {
        name: "New York fall back repeats 01:00",
        def: newYork,
        from: "2024-11-03-00:00",
        to: "2024-11-03-02:00",
        keys: ["2024-11-03-00:00", "2024-11-03-01:00", "2024-11-03-01:00-0500", "2024-11-03-02:00"],
        utcStarts: [
          "2024-11-03T04:00:00.000Z",
          "2024-11-03T05:00:00.000Z",
          "2024-11-03T06:00:00.000Z",
          "2024-11-03T07:00:00.000Z",
        ],
      },
      {
        name: "New York spring forward skips 02:00",
        def: newYork,
        from: "2024-03-10-01:00",
        to: "2024-03-10-03:00",
        keys: ["2024-03-10-01:00", "2024-03-10-03:00"],
        utcStarts: ["2024-03-10T06:00:00.000Z", "2024-03-10T07:00:00.000Z"],
      },
      {
        name: "Berlin fall back repeats 02:00",
        def: berlin,
        from: "2024-10-27-01:00",
        to: "2024-10-27-03:00",
        keys: ["2024-10-27-01:00", "2024-10-27-02:00", "2024-10-27-02:00+0100", "2024-10-27-03:00"],
        utcStarts: [
          "2024-10-26T23:00:00.000Z",
          "2024-10-27T00:00:00.000Z",
          "2024-10-27T01:00:00.000Z",
          "2024-10-27T02:00:00.000Z",
        ],
      },
      {
        name: "Berlin spring forward skips 02:00",
        def: berlin,
        from: "2024-03-31-01:00",
        to: "2024-03-31-03:00",
        keys: ["2024-03-31-01:00", "2024-03-31-03:00"],
        utcStarts: ["2024-03-31T00:00:00.000Z", "2024-03-31T01:00:00.000Z"],
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const keys = partitionKeysInRange(c.def, c.from, c.to);
      assert.deepEqual(keys, c.keys);
      keys.forEach((key, i) => {
        const window = windowForKey(c.def, key);
        assert.equal(window.start.toUTC().toISO(), c.utcStarts[i]);
        assert.equal(window.end.diff(window.start, "hours").hours, 1, `${key} lasts one hour`);
        assert.equal(keyForInstant(c.def, window.start.toJSDate()), key);
      });
    });
  }

  const keyCases: { name: string; def: typeof newYork; key: string; code?: string; message?: RegExp }[] = [
    { name: "first pass of the repeated hour", def: newYork, key: "2024-11-03-01:00" },
    { name: "second pass, with its offset", def: newYork, key: "2024-11-03-01:00-0500" },
    {
      name: "the first pass spelled with its offset is not canonical",
      def: newYork,
      key: "2024-11-03-01:00-0400",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /not a canonical key of "ny_hourly" \(expected yyyy-MM-dd-HH:mm, e.g. "2024-11-03-01:00"\)/,
    },
    {
      name: "an offset on an ordinary hour is not canonical",
      def: newYork,
      key: "2024-06-01-01:00-0400",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message: /e.g. "2024-06-01-01:00"/,
    },
    {
      name: "the skipped hour does not exist",
      def: newYork,
      key: "2024-03-10-02:00",
      code: "ALMANAC_BAD_PARTITION_KEY",
      message:
        /^partition key "2024-03-10-02:00" of "ny_hourly" names a local time that does not exist in America\/New_York/,
    },
    { name: "Berlin second pass", def: berlin, key: "2024-10-27-02:00+0100" },
    { name: "Berlin skipped hour", def: berlin, key: "2024-03-31-02:00", code: "ALMANAC_BAD_PARTITION_KEY" },
  ];
  for (const c of keyCases) {
    it(c.name, () => {
      if (c.code === undefined) validatePartitionKey(c.def, c.key);
      else assert.throws(() => validatePartitionKey(c.def, c.key), { code: c.code, message: c.message ?? /./ });
    });
  }

  it("next and previous step through the repeated hour", () => {
    assert.equal(nextKey(newYork, "2024-11-03-01:00"), "2024-11-03-01:00-0500");
    assert.equal(nextKey(newYork, "2024-11-03-01:00-0500"), "2024-11-03-02:00");
    assert.equal(previousKey(newYork, "2024-11-03-02:00"), "2024-11-03-01:00-0500");
    assert.equal(nextKey(newYork, "2024-03-10-01:00"), "2024-03-10-03:00");
  });

  it("bounds of the repeated hour carry both offsets apart", () => {
    const bounds = windowBounds(newYork, "2024-11-03-01:00", "2024-11-03-01:00-0500");
    assert.equal(bounds.startTs, "2024-11-03T01:00:00.000-04:00");
    assert.equal(bounds.endTs, "2024-11-03T02:00:00.000-05:00");
    assert.equal(bounds.startDate, "2024-11-03 01:00:00");
    assert.equal(bounds.endDate, "2024-11-03 02:00:00");
  });

  it("a format that prints the offset needs no suffix", () => {
    const withOffset = definePartitions({
      name: "offset_hourly",
      type: "hourly",
      start: "2024-01-01",
      timezone: "America/New_York",
      format: "yyyy-MM-dd'T'HH:mmZZ",
    });
    assert.deepEqual(partitionKeysInRange(withOffset, "2024-11-03T01:00-04:00", "2024-11-03T02:00-05:00"), [
      "2024-11-03T01:00-04:00",
      "2024-11-03T01:00-05:00",
      "2024-11-03T02:00-05:00",
    ]);
  });
});
