// Pure generation of synthetic web-shop order lines: no I/O, no clock. Orders are placed in
// local shop days of Europe/Berlin, with extra orders right at the edges of each day and of
// each DST switch, where window bugs (UTC cuts, `between`, a 24-hour day) put rows on the
// wrong day.
import { dayNumber, type LocalDayWindow, localDayWindow, localHour, zoneOffsetMinutes } from "./local-days.js";
import { mulberry32, type Random, streamSeed, weightedPick } from "./seeded-random.js";

/** The shop's time zone: its days, and so its partitions, start at Berlin midnight. */
export const shopTimeZone = "Europe/Berlin";

/** One line of an order, shaped like a row of `shop.order_lines`. */
export interface OrderLine {
  /** Unique across days: day number × 100,000 + the order's rank in its day (by time). */
  readonly orderId: number;
  /** 1-based position in the order; `(orderId, lineNo)` is the key. */
  readonly lineNo: number;
  /** The order's instant, ISO-8601 in UTC with milliseconds, e.g. `2024-03-30T23:00:00.000Z`. */
  readonly orderedAt: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  /** ISO 3166 alpha-2 code of the delivery country. */
  readonly country: string;
}

/** What to generate. */
export interface DayOrdersOptions {
  /** The local shop day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Regular orders that day, besides the boundary orders; default 500. */
  readonly orders?: number;
  /** Default 42. */
  readonly seed?: number;
  /** Default `Europe/Berlin`. */
  readonly timeZone?: string;
}

/** A product of the catalog. */
export interface CatalogItem {
  readonly sku: string;
  readonly unitPriceCents: number;
}

/** 150 products with x.99 prices from €3.99 to €153.99; fixed, whatever the seed. */
export const catalog: readonly CatalogItem[] = (() => {
  const random = mulberry32(20_240_325);
  return Array.from({ length: 150 }, (_, i) => ({
    sku: `SKU-${String(i + 1).padStart(4, "0")}`,
    unitPriceCents: Math.floor(4 + random() ** 2 * 150) * 100 - 1,
  }));
})();

// Best sellers first: a long-tail (Zipf-like) popularity.
const pickItem = weightedPick(
  catalog,
  catalog.map((_, rank) => 1 / (rank + 1) ** 0.8),
);
const pickQuantity = weightedPick([1, 2, 3, 4, 5], [70, 18, 7, 3, 2]);
const pickLineCount = weightedPick([1, 2, 3, 4, 5], [55, 25, 12, 5, 3]);
const pickCountry = weightedPick(["DE", "AT", "CH", "NL", "FR", "BE", "IT"], [62, 14, 9, 6, 4, 3, 2]);

// Share of orders per local hour: quiet at night, a lunch bump, the peak on the sofa at 20:00.
const localHourWeights: readonly number[] = [
  2.5, 1.2, 0.6, 0.4, 0.4, 0.7, 1.5, 2.8, 3.8, 4.5, 5, 5.2, 5.8, 5.5, 5, 5, 5.2, 5.6, 6.2, 7, 7.6, 7.2, 5.5, 3.8,
];

const msPerHour = 3_600_000;

/**
 * Instants inside `window` where window bugs show: the first and last millisecond of the local
 * day, and, on a DST day, the last millisecond before the switch, the switch itself and
 * (in October) the same wall-clock time 02:30 in both offsets.
 */
export function boundaryInstants(window: LocalDayWindow, timeZone: string): number[] {
  const instants = [window.startMs, window.endMs - 1];
  for (let hour = window.startMs; hour + msPerHour < window.endMs; hour += msPerHour) {
    const next = hour + msPerHour;
    if (zoneOffsetMinutes(timeZone, hour) !== zoneOffsetMinutes(timeZone, next)) {
      instants.push(next - 1, next);
      // Autumn: the hour before the switch and the one after share their wall-clock times.
      if (zoneOffsetMinutes(timeZone, next) < zoneOffsetMinutes(timeZone, hour)) {
        instants.push(next - msPerHour / 2, next + msPerHour / 2);
      }
    }
  }
  return instants;
}

/** Regular order instants: an hour of the real day (23–25 of them) by local-hour weight, then uniform in it. */
function regularInstants(random: Random, window: LocalDayWindow, timeZone: string, orders: number): number[] {
  const hourStarts: number[] = [];
  const weights: number[] = [];
  for (let start = window.startMs; start < window.endMs; start += msPerHour) {
    hourStarts.push(start);
    weights.push(localHourWeights[localHour(timeZone, start)] as number);
  }
  const pickHour = weightedPick(hourStarts, weights);
  return Array.from({ length: orders }, () => pickHour(random) + Math.floor(random() * msPerHour));
}

/**
 * Generates one local day of order lines. Every `orderedAt` lies in the day's window
 * `[local midnight, next local midnight)`; order ids follow time order; the same options
 * always give identical lines.
 */
export function generateDayOrderLines(options: DayOrdersOptions): OrderLine[] {
  const orders = options.orders ?? 500;
  if (!Number.isInteger(orders) || orders < 0) throw new Error(`orders must be a whole number >= 0, got ${orders}`);
  if (orders >= 99_000) throw new Error(`orders must stay below 99,000 a day to keep order ids unique, got ${orders}`);
  const timeZone = options.timeZone ?? shopTimeZone;
  const window = localDayWindow(options.day, timeZone);
  const random = mulberry32(streamSeed(options.seed ?? 42, dayNumber(options.day)));

  const instants = [...boundaryInstants(window, timeZone), ...regularInstants(random, window, timeZone, orders)];
  instants.sort((a, b) => a - b);

  const lines: OrderLine[] = [];
  const firstOrderId = dayNumber(options.day) * 100_000;
  instants.forEach((instant, index) => {
    const orderId = firstOrderId + index + 1;
    const orderedAt = new Date(instant).toISOString();
    const country = pickCountry(random);
    const lineCount = pickLineCount(random);
    for (let lineNo = 1; lineNo <= lineCount; lineNo++) {
      const item = pickItem(random);
      lines.push({
        orderId,
        lineNo,
        orderedAt,
        sku: item.sku,
        quantity: pickQuantity(random),
        unitPriceCents: item.unitPriceCents,
        country,
      });
    }
  });
  return lines;
}
