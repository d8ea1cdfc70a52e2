// Local calendar days of an IANA time zone as UTC instants. A shop day in Europe/Berlin is
// [local midnight, next local midnight), which lasts 23 hours on 2024-03-31 and 25 hours on
// 2024-10-27; this module is where that is worked out. It uses Node's built-in ICU time zone
// data (Intl), the same IANA database Postgres uses, so no library is needed.

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const msPerDay = 86_400_000;

/** A local day as the half-open UTC interval `[startMs, endMs)`. */
export interface LocalDayWindow {
  readonly day: string;
  readonly startMs: number;
  readonly endMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in minutes (Berlin: 60 or 120). */
export function zoneOffsetMinutes(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wallClockAsUtc = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return Math.round((wallClockAsUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day; throws on a malformed or impossible date. */
export function dayNumber(day: string): number {
  if (!dayPattern.test(day)) throw new Error(`expected a day as YYYY-MM-DD, got "${day}"`);
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new Error(`"${day}" is not a calendar day`);
  }
  return ms / msPerDay;
}

/** The `YYYY-MM-DD` day `offset` days after `day`. */
export function addDays(day: string, offset: number): string {
  return new Date((dayNumber(day) + offset) * msPerDay).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both inclusive; throws when `from` is after `to`. */
export function daysInRange(from: string, to: string): string[] {
  const count = dayNumber(to) - dayNumber(from) + 1;
  if (count < 1) throw new Error(`from ${from} is after to ${to}`);
  return Array.from({ length: count }, (_, i) => addDays(from, i));
}

/** The UTC instant of local midnight starting `day` in `timeZone`. */
export function localMidnightMs(day: string, timeZone: string): number {
  const wallClock = dayNumber(day) * msPerDay;
  // Guess with the offset at the wall-clock instant, then correct with the offset at the guess;
  // two steps settle it for any zone whose midnight is not skipped by a DST jump.
  const guess = wallClock - zoneOffsetMinutes(timeZone, wallClock) * 60_000;
  return wallClock - zoneOffsetMinutes(timeZone, guess) * 60_000;
}

/** The local day `day` of `timeZone` as a UTC interval (23, 24 or 25 hours long). */
export function localDayWindow(day: string, timeZone: string): LocalDayWindow {
  return { day, startMs: localMidnightMs(day, timeZone), endMs: localMidnightMs(addDays(day, 1), timeZone) };
}

/** Local wall-clock hour (0–23) of the instant `utcMs` in `timeZone`. */
export function localHour(timeZone: string, utcMs: number): number {
  return new Date(utcMs + zoneOffsetMinutes(timeZone, utcMs) * 60_000).getUTCHours();
}
