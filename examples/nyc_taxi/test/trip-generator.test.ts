import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTaxiZones } from "../scripts/taxi-zones.js";
import { formatCents, generateDayTrips, type TripRow, tripToCopyLine } from "../scripts/trip-generator.js";

const zones = readTaxiZones();

function seconds(timestamp: string): number {
  return Date.parse(`${timestamp.replace(" ", "T")}Z`) / 1000;
}

function durationSeconds(trip: TripRow): number {
  return seconds(trip.dropoffAt) - seconds(trip.pickupAt);
}

describe("taxi zones", () => {
  it("keeps one zone per location id (the TLC file repeats 56 and 103)", () => {
    assert.equal(zones.length, 260);
    assert.equal(new Set(zones.map((zone) => zone.locationId)).size, 260);
    assert.deepEqual(
      zones.find((zone) => zone.locationId === 132),
      { locationId: 132, borough: "Queens", zone: "JFK Airport" },
    );
  });
});

describe("generateDayTrips", () => {
  it("gives identical rows for the same day and seed", () => {
    const first = generateDayTrips({ day: "2024-01-15", rows: 2000, seed: 7, zones });
    const second = generateDayTrips({ day: "2024-01-15", rows: 2000, seed: 7, zones });
    assert.deepEqual(first, second);
    assert.equal(first.map(tripToCopyLine).join(""), second.map(tripToCopyLine).join(""));
  });

  it("gives different rows for another seed or another day", () => {
    const timesOfDay = (day: string, seed: number) =>
      generateDayTrips({ day, rows: 200, seed, zones }).map((trip) => trip.pickupAt.slice(11));
    assert.notDeepEqual(timesOfDay("2024-01-15", 7), timesOfDay("2024-01-15", 8));
    assert.notDeepEqual(timesOfDay("2024-01-15", 7), timesOfDay("2024-01-16", 7));
  });

  it("puts every pickup inside its day and every dropoff after its pickup", () => {
    for (const day of ["2024-01-01", "2024-02-29", "2024-03-10", "2024-12-31"]) {
      const trips = generateDayTrips({ day, rows: 3000, zones });
      assert.equal(trips.length, 3000);
      for (const trip of trips) {
        assert.match(trip.pickupAt, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        assert.equal(trip.pickupAt.slice(0, 10), day);
        assert.ok(durationSeconds(trip) >= 60, `${trip.pickupAt} → ${trip.dropoffAt}`);
      }
    }
  });

  const trips = generateDayTrips({ day: "2024-01-17", rows: 20_000, zones });

  it("peaks in the evening and dips before dawn", () => {
    const perHour = new Array<number>(24).fill(0);
    for (const trip of trips) {
      const hour = Number(trip.pickupAt.slice(11, 13));
      perHour[hour] = (perHour[hour] ?? 0) + 1;
    }
    const peakHour = perHour.indexOf(Math.max(...perHour));
    assert.ok(peakHour >= 16 && peakHour <= 20, `peak at ${peakHour}:00`);
    const preDawn = (perHour[3] ?? 0) + (perHour[4] ?? 0);
    assert.ok(preDawn * 4 < (perHour[18] ?? 0), `03-05h ${preDawn} vs 18h ${perHour[18]}`);
  });

  it("makes most trips 5–30 minutes long, with a tail over 30 minutes", () => {
    const durations = trips.map(durationSeconds);
    const typical = durations.filter((d) => d >= 300 && d <= 1800).length / durations.length;
    const long = durations.filter((d) => d > 1800).length / durations.length;
    assert.ok(typical > 0.6, `5–30 min share ${typical}`);
    assert.ok(long > 0.05 && long < 0.3, `over 30 min share ${long}`);
  });

  it("adds the fare components up to the total, tips only on cards", () => {
    for (const trip of trips) {
      const parts =
        trip.fareCents +
        trip.extraCents +
        trip.mtaTaxCents +
        trip.tipCents +
        trip.tollsCents +
        trip.improvementSurchargeCents +
        trip.congestionSurchargeCents +
        trip.airportFeeCents;
      assert.equal(trip.totalCents, parts);
      assert.ok(trip.fareCents > 0 && Number.isInteger(trip.fareCents));
      if (trip.paymentType !== 1) assert.equal(trip.tipCents, 0);
    }
    const cardTrips = trips.filter((trip) => trip.paymentType === 1);
    assert.ok(cardTrips.length / trips.length > 0.6);
    assert.ok(cardTrips.filter((trip) => trip.tipCents > 0).length / cardTrips.length > 0.7);
  });

  it("draws locations from the zone lookup, mostly Manhattan pickups", () => {
    const boroughOf = new Map(zones.map((zone) => [zone.locationId, zone.borough]));
    for (const trip of trips) {
      assert.ok(boroughOf.has(trip.puLocationId) && boroughOf.has(trip.doLocationId));
    }
    const manhattan = trips.filter((trip) => boroughOf.get(trip.puLocationId) === "Manhattan").length;
    assert.ok(manhattan / trips.length > 0.7, `Manhattan pickups ${manhattan / trips.length}`);
  });
});

describe("COPY text", () => {
  it("formats cents with two decimals", () => {
    assert.deepEqual([0, 5, 50, 100, 1234, 7000, 123_456_789].map(formatCents), [
      "0.00",
      "0.05",
      "0.50",
      "1.00",
      "12.34",
      "70.00",
      "1234567.89",
    ]);
  });

  it("writes 19 tab-separated columns per trip", () => {
    const [trip] = generateDayTrips({ day: "2024-01-02", rows: 1, zones });
    const line = tripToCopyLine(trip as TripRow);
    assert.ok(line.endsWith("\n"));
    assert.equal(line.trimEnd().split("\t").length, 19);
  });
});
