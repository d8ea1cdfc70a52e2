import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { civilFromDays, DAY_MS, daysFromCivil, HOUR_MS, isoWeekday } from "./wall-clock.js";
import { zoneClock } from "./zone-clock.js";

describe("wall-clock: day numbers agree with Date", () => {
  const cases = ["1900-03-01", "1969-12-31", "1970-01-01", "2000-02-29", "2023-02-28", "2024-02-29", "2100-03-01"];
  for (const date of cases) {
    it(date, () => {
      const [year, month, day] = date.split("-").map(Number) as [number, number, number];
      const days = daysFromCivil(year, month, day);
      assert.equal(days * DAY_MS, Date.parse(`${date}T00:00:00Z`));
      assert.deepEqual(civilFromDays(days), { year, month, day });
      assert.equal(isoWeekday(days), DateTime.fromISO(date, { zone: "UTC" }).weekday);
    });
  }
});

describe("zone-clock: offsets agree with luxon, hour by hour through DST years", () => {
  const cases: { zone: string; year: number }[] = [
    { zone: "UTC", year: 2024 },
    { zone: "America/New_York", year: 2024 },
    { zone: "Europe/Berlin", year: 2024 },
    { zone: "America/Santiago", year: 2024 },
    { zone: "Australia/Lord_Howe", year: 2024 },
    { zone: "Asia/Kolkata", year: 2024 },
    { zone: "Europe/Moscow", year: 2011 },
  ];
  for (const c of cases) {
    it(`${c.zone} ${c.year}`, () => {
      const clock = zoneClock(c.zone);
      const from = Date.UTC(c.year, 0, 1);
      const to = Date.UTC(c.year + 1, 0, 1);
      // 17 minutes past: catches changes that do not fall on the hour (Lord Howe shifts by 30 min).
      for (let instant = from; instant < to; instant += HOUR_MS + 17 * 60_000) {
        const expected = DateTime.fromMillis(instant, { zone: c.zone }).offset * 60_000;
        assert.equal(clock.offsetAt(instant), expected, new Date(instant).toISOString());
      }
    });
  }

  const walls: { name: string; zone: string; wall: string; instants: string[] }[] = [
    { name: "ordinary time", zone: "Europe/Berlin", wall: "2024-06-01T12:00", instants: ["2024-06-01T10:00:00.000Z"] },
    { name: "skipped", zone: "Europe/Berlin", wall: "2024-03-31T02:30", instants: [] },
    {
      name: "repeated",
      zone: "Europe/Berlin",
      wall: "2024-10-27T02:30",
      instants: ["2024-10-27T00:30:00.000Z", "2024-10-27T01:30:00.000Z"],
    },
    {
      name: "repeated in New York",
      zone: "America/New_York",
      wall: "2024-11-03T01:00",
      instants: ["2024-11-03T05:00:00.000Z", "2024-11-03T06:00:00.000Z"],
    },
  ];
  for (const c of walls) {
    it(`instantsOfWall: ${c.name}`, () => {
      const wall = Date.parse(`${c.wall}:00Z`);
      const instants = zoneClock(c.zone).instantsOfWall(wall);
      assert.deepEqual(
        instants.map((instant) => new Date(instant).toISOString()),
        c.instants,
      );
    });
  }

  it("firstInstantAtOrAfterWall jumps to the end of a gap", () => {
    const clock = zoneClock("America/Santiago");
    const first = clock.firstInstantAtOrAfterWall(Date.parse("2024-09-08T00:00:00Z"));
    assert.equal(new Date(first).toISOString(), "2024-09-08T04:00:00.000Z");
  });
});
