// Pure generation of synthetic TLC yellow-taxi trips: no I/O, no clock. The same
// (day, rows, seed, zones) always gives the same rows in the same order.
import { addDays, dayNumber, weekday } from "./calendar-days.js";
import { daySeed, logNormal, mulberry32, normal, type Random, weightedIndex } from "./random-source.js";
import { airportZones, dropoffWeight, pickupWeight, type TaxiZone } from "./taxi-zones.js";

/**
 * One trip, shaped like a row of `raw.trips` (the TLC yellow-taxi record). Timestamps are
 * New York wall-clock times without a zone, as in the TLC files; money is integer cents so
 * formatting never meets a float rounding question.
 */
export interface TripRow {
  /** 1 = Creative Mobile Technologies, 2 = VeriFone (Curb). */
  readonly vendorId: number;
  /** `YYYY-MM-DD HH:MM:SS`, always inside the generated day. */
  readonly pickupAt: string;
  /** `YYYY-MM-DD HH:MM:SS`; may fall on the next day for trips that cross midnight. */
  readonly dropoffAt: string;
  readonly passengerCount: number;
  /** Miles × 100. */
  readonly distanceHundredths: number;
  /** 1 standard, 2 JFK flat fare, 3 Newark, 5 negotiated. */
  readonly ratecodeId: number;
  readonly storeAndFwdFlag: "Y" | "N";
  readonly puLocationId: number;
  readonly doLocationId: number;
  /** 1 credit card, 2 cash, 3 no charge, 4 dispute. */
  readonly paymentType: number;
  readonly fareCents: number;
  readonly extraCents: number;
  readonly mtaTaxCents: number;
  readonly tipCents: number;
  readonly tollsCents: number;
  readonly improvementSurchargeCents: number;
  readonly totalCents: number;
  readonly congestionSurchargeCents: number;
  readonly airportFeeCents: number;
}

/** What to generate. */
export interface DayTripsOptions {
  /** The pickup day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Number of trips; default 2000. */
  readonly rows?: number;
  /** Seed mixed with the day; default 42. */
  readonly seed?: number;
  /** The 263 TLC zones (see `readTaxiZones`). */
  readonly zones: readonly TaxiZone[];
}

// Share of a day's pickups per hour of the day (0–23), after TLC's 2023 hourly counts:
// a dip before dawn, a climb through the day, the peak at 18:00.
export const hourWeights: readonly number[] = [
  2.9, 1.9, 1.2, 0.8, 0.6, 0.7, 1.6, 3.0, 3.9, 4.2, 4.4, 4.7, 5.0, 5.1, 5.5, 5.7, 5.8, 6.6, 7.0, 6.3, 5.5, 5.5, 5.2,
  4.1,
];

// Typical door-to-door speed (mph) per hour: free-flowing at night, slowest in the afternoon.
const hourSpeedMph: readonly number[] = [
  16, 17, 18, 18, 18, 16, 13, 10, 9, 9, 9.5, 9.5, 9.5, 9, 8.5, 8.5, 8.5, 8.5, 9, 10, 11, 12, 13, 14,
];

const passengerCounts = [1, 2, 3, 4, 5, 6, 0];
const passengerWeights = [72, 14, 4, 2, 3.5, 2.5, 2];
const paymentTypes = [1, 2, 3, 4];
const paymentWeights = [76, 20, 2.5, 1.5];

interface ZoneModel {
  readonly zones: readonly TaxiZone[];
  readonly pickSampler: (random: Random) => number;
  readonly dropSampler: (random: Random) => number;
}

// Samplers are built once per zones array: 263 cumulative sums, not worth redoing per day.
const zoneModels = new WeakMap<readonly TaxiZone[], ZoneModel>();

function zoneModel(zones: readonly TaxiZone[]): ZoneModel {
  let model = zoneModels.get(zones);
  if (!model) {
    if (zones.length === 0) throw new Error("the trip generator needs the taxi zones");
    model = {
      zones,
      pickSampler: weightedIndex(zones.map(pickupWeight)),
      dropSampler: weightedIndex(zones.map(dropoffWeight)),
    };
    zoneModels.set(zones, model);
  }
  return model;
}

const sampleHour = weightedIndex(hourWeights);
const samplePassengers = weightedIndex(passengerWeights);
const samplePayment = weightedIndex(paymentWeights);

let clockTimes: string[] | undefined;
/** `HH:MM:SS` for every second of a day, built once: formatting is the loader's hot path. */
function clockTime(secondOfDay: number): string {
  if (!clockTimes) {
    clockTimes = new Array<string>(86_400);
    for (let s = 0; s < 86_400; s++) {
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const sec = s % 60;
      clockTimes[s] = `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}:${sec < 10 ? "0" : ""}${sec}`;
    }
  }
  return clockTimes[secondOfDay] as string;
}

/** Miles of a trip between two zones; we have no geometry, so the zone relation sets the scale. */
function tripMiles(random: Random, pickup: TaxiZone, dropoff: TaxiZone): number {
  const ids = [pickup.locationId, dropoff.locationId];
  if (ids.includes(airportZones.newark)) return logNormal(random, 18, 0.2);
  if (ids.includes(airportZones.jfk)) return logNormal(random, 17, 0.25);
  if (ids.includes(airportZones.laGuardia)) return logNormal(random, 9.5, 0.3);
  if (pickup.locationId === dropoff.locationId) return logNormal(random, 0.8, 0.5);
  if (pickup.borough === dropoff.borough) return logNormal(random, 1.7, 0.55);
  return logNormal(random, 5.5, 0.45);
}

/**
 * Generates one day of trips. Rows are in generation order (not sorted), every pickup lies in
 * `[day 00:00:00, day+1 00:00:00)`, and the same options always give identical rows.
 */
export function generateDayTrips(options: DayTripsOptions): TripRow[] {
  return Array.from(dayTrips(options));
}

/**
 * The same rows as `generateDayTrips`, one at a time, so a loader can format and send rows
 * while Postgres is still parsing the previous ones.
 */
export function* dayTrips(options: DayTripsOptions): Generator<TripRow> {
  const rows = options.rows ?? 2000;
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a whole number >= 0, got ${rows}`);
  const { zones, pickSampler, dropSampler } = zoneModel(options.zones);
  const random = mulberry32(daySeed(options.seed ?? 42, dayNumber(options.day)));
  const nextDay = addDays(options.day, 1);
  const isWeekday = weekday(options.day) >= 1 && weekday(options.day) <= 5;

  for (let i = 0; i < rows; i++) {
    const hour = sampleHour(random);
    const pickupSecond = hour * 3600 + Math.floor(random() * 3600);
    const pickup = zones[pickSampler(random)] as TaxiZone;
    // Some trips stay in their zone; the rest go where drop-offs are popular.
    const dropoff = random() < 0.07 ? pickup : (zones[dropSampler(random)] as TaxiZone);

    const miles = Math.min(Math.max(tripMiles(random, pickup, dropoff), 0.05), 80);
    // Longer trips reach highways, so they go faster on average.
    const speed = (hourSpeedMph[hour] as number) * (1 + Math.min(miles / 15, 1.2)) * Math.exp(0.25 * normal(random));
    const durationSeconds = Math.round(Math.min(Math.max((miles / speed) * 3600 + 60, 60), 4 * 3600));
    const minutes = durationSeconds / 60;

    const touchesJfkManhattan =
      (pickup.locationId === airportZones.jfk && dropoff.borough === "Manhattan") ||
      (dropoff.locationId === airportZones.jfk && pickup.borough === "Manhattan");
    const ratecodeId = touchesJfkManhattan
      ? 2
      : dropoff.locationId === airportZones.newark
        ? 3
        : random() < 0.003
          ? 5
          : 1;
    // 2024 meter: $3 flag drop, $3.50 a mile, and time charge when slower than 12 mph.
    const metered = 300 + 350 * miles + 70 * Math.max(0, minutes - (miles * 60) / 12);
    const fareCents =
      ratecodeId === 2
        ? 7000
        : ratecodeId === 3
          ? Math.round((metered + 2000) / 10) * 10
          : ratecodeId === 5
            ? 2000 + Math.floor(random() * 80) * 100
            : Math.round(metered / 10) * 10;
    const extraCents = isWeekday && hour >= 16 && hour < 20 ? 250 : hour >= 20 || hour < 6 ? 100 : 0;
    const mtaTaxCents = 50;
    const improvementSurchargeCents = 100;
    const congestionSurchargeCents = pickup.borough === "Manhattan" || dropoff.borough === "Manhattan" ? 250 : 0;
    const airportFeeCents =
      pickup.locationId === airportZones.jfk || pickup.locationId === airportZones.laGuardia ? 175 : 0;
    const crossesBridge = pickup.borough !== dropoff.borough || ratecodeId === 3;
    const tollsCents = crossesBridge && random() < 0.45 ? 694 : 0;

    const paymentType = paymentTypes[samplePayment(random)] as number;
    let tipCents = 0;
    // Card tips come from the screen's 20/25/30% buttons or a custom amount; cash tips are
    // not recorded by the meter, as in the TLC data.
    if (paymentType === 1 && random() >= 0.12) {
      const percent = random() < 0.6 ? ([20, 25, 30][Math.floor(random() * 3)] as number) : 10 + random() * 15;
      tipCents = Math.round(((fareCents + extraCents) * percent) / 100);
    }
    const totalCents =
      fareCents +
      extraCents +
      mtaTaxCents +
      tipCents +
      tollsCents +
      improvementSurchargeCents +
      congestionSurchargeCents +
      airportFeeCents;

    const dropoffSecond = pickupSecond + durationSeconds;
    yield {
      vendorId: random() < 0.25 ? 1 : 2,
      pickupAt: `${options.day} ${clockTime(pickupSecond)}`,
      dropoffAt:
        dropoffSecond < 86_400
          ? `${options.day} ${clockTime(dropoffSecond)}`
          : `${nextDay} ${clockTime(dropoffSecond - 86_400)}`,
      passengerCount: passengerCounts[samplePassengers(random)] as number,
      distanceHundredths: Math.round(miles * 100),
      ratecodeId,
      storeAndFwdFlag: random() < 0.005 ? "Y" : "N",
      puLocationId: pickup.locationId,
      doLocationId: dropoff.locationId,
      paymentType,
      fareCents,
      extraCents,
      mtaTaxCents,
      tipCents,
      tollsCents,
      improvementSurchargeCents,
      totalCents,
      congestionSurchargeCents,
      airportFeeCents,
    };
  }
}

// Formatting money is most of the loader's CPU time; amounts under $1,000 (nearly all) are
// looked up instead of built.
const cachedCents = 100_000;
let centsTexts: string[] | undefined;

/** `1234` → `"12.34"`; non-negative whole cents only, which is all the generator makes. */
export function formatCents(cents: number): string {
  if (cents < cachedCents) {
    if (!centsTexts) {
      centsTexts = new Array<string>(cachedCents);
      for (let c = 0; c < cachedCents; c++) centsTexts[c] = buildCentsText(c);
    }
    return centsTexts[cents] as string;
  }
  return buildCentsText(cents);
}

function buildCentsText(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents - whole * 100;
  return `${whole}${rest < 10 ? ".0" : "."}${rest}`;
}

/** The trip as one line of Postgres COPY text format, columns in `raw.trips` order. */
export function tripToCopyLine(trip: TripRow): string {
  return `${trip.vendorId}\t${trip.pickupAt}\t${trip.dropoffAt}\t${trip.passengerCount}\t${formatCents(trip.distanceHundredths)}\t${trip.ratecodeId}\t${trip.storeAndFwdFlag}\t${trip.puLocationId}\t${trip.doLocationId}\t${trip.paymentType}\t${formatCents(trip.fareCents)}\t${formatCents(trip.extraCents)}\t${formatCents(trip.mtaTaxCents)}\t${formatCents(trip.tipCents)}\t${formatCents(trip.tollsCents)}\t${formatCents(trip.improvementSurchargeCents)}\t${formatCents(trip.totalCents)}\t${formatCents(trip.congestionSurchargeCents)}\t${formatCents(trip.airportFeeCents)}\n`;
}
