/**
 * Printing keys without luxon, for patterns made of `yyyy MM dd HH mm ss SSS ZZ ZZZ` and
 * literal text: the hot loop of range enumeration (87,600 hourly keys in a few ms).
 *
 * A key is split where its first time-of-day token starts: the head (`yyyy-MM-dd-`) is rendered
 * once per day and the tail (`HH:mm`) once per distinct time of day and offset, so printing a
 * key is one concatenation of two cached strings. Fewer temporary strings also means less
 * garbage collection, which dominated the cost before.
 */
import type { Piece } from "./key-format.js";
import { civilFromDays, DAY_MS, formatOffset, HOUR_MS, MINUTE_MS, padNumber } from "./wall-clock.js";

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Time of day and UTC offset of the key being printed. */
interface Moment {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offset: number;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
const twoDigits = (value: number): string => TWO_DIGITS[value] ?? padNumber(value, 2);

const DATE_WRITERS: Readonly<Record<string, (date: CalendarDate) => string>> = {
  yyyy: (d) => (d.year >= 1000 && d.year <= 9999 ? `${d.year}` : padNumber(d.year, 4)),
  MM: (d) => twoDigits(d.month),
  dd: (d) => twoDigits(d.day),
};

const TIME_WRITERS: Readonly<Record<string, (moment: Moment) => string>> = {
  HH: (m) => twoDigits(m.hour),
  mm: (m) => twoDigits(m.minute),
  ss: (m) => twoDigits(m.second),
  SSS: (m) => padNumber(m.millisecond, 3),
  ZZ: (m) => formatOffset(m.offset),
  ZZZ: (m) => formatOffset(m.offset, true),
};

/** Whether `fastKeyPrinter` can print this token. */
export function printsFast(token: string): boolean {
  return token in DATE_WRITERS || token in TIME_WRITERS;
}

function render(pieces: readonly Piece[], date: CalendarDate, moment: Moment | undefined): string {
  let text = "";
  for (const piece of pieces) {
    if ("literal" in piece) text += piece.literal;
    else if (piece.token in DATE_WRITERS) text += DATE_WRITERS[piece.token]?.(date) ?? "";
    else if (moment !== undefined) text += TIME_WRITERS[piece.token]?.(moment) ?? "";
  }
  return text;
}

function momentOf(timeOfDay: number, offset: number): Moment {
  const hour = Math.floor(timeOfDay / HOUR_MS);
  let rest = timeOfDay - hour * HOUR_MS;
  const minute = Math.floor(rest / MINUTE_MS);
  rest -= minute * MINUTE_MS;
  const second = Math.floor(rest / 1000);
  return { hour, minute, second, millisecond: rest - second * 1000, offset };
}

/** Past this many cached tails (only reached with second-level keys), start the cache over. */
const MAX_CACHED_TAILS = 4096;

/** A printer `(wall, offset) => key` for a pattern whose tokens all pass `printsFast`. */
export function fastKeyPrinter(pieces: readonly Piece[]): (wall: number, offset: number) => string {
  const split = pieces.findIndex((piece) => "token" in piece && piece.token in TIME_WRITERS);
  const head = split === -1 ? pieces : pieces.slice(0, split);
  const tail = split === -1 ? [] : pieces.slice(split);
  // A date token after a time token (`HH:mm yyyy`) makes the tail depend on the day: no tail cache.
  const tailNeedsDate = tail.some((piece) => "token" in piece && piece.token in DATE_WRITERS);
  const tails = new Map<number, string>();

  let cachedDay = Number.NaN;
  let date: CalendarDate = civilFromDays(0);
  let headText = "";
  return (wall, offset) => {
    const day = Math.floor(wall / DAY_MS);
    if (day !== cachedDay) {
      date = civilFromDays(day);
      headText = render(head, date, undefined);
      cachedDay = day;
    }
    if (tail.length === 0) return headText;
    const timeOfDay = wall - day * DAY_MS;
    if (tailNeedsDate) return headText + render(tail, date, momentOf(timeOfDay, offset));
    // Offsets are whole seconds within ±18 h, so this number names (time of day, offset) uniquely.
    const tailKey = timeOfDay * 131_072 + (Math.round(offset / 1000) + 65_536);
    let tailText = tails.get(tailKey);
    if (tailText === undefined) {
      if (tails.size >= MAX_CACHED_TAILS) tails.clear();
      tailText = render(tail, date, momentOf(timeOfDay, offset));
      tails.set(tailKey, tailText);
    }
    return headText + tailText;
  };
}
