/**
 * Wall-clock arithmetic without a time zone.
 *
 * A "wall" value is a local date-time encoded as if it were UTC epoch milliseconds: the wall
 * time 2024-03-10 02:30 is `Date.UTC(2024, 2, 10, 2, 30)` whatever the zone. Calendar steps
 * (next day, next month) are exact on wall values, and only turning a wall value into an
 * instant needs the zone (see `zone-clock.ts`). Everything here is plain integer math because
 * enumerating tens of thousands of keys through luxon objects costs seconds, not milliseconds.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The fields of a wall value; month is 1–12, weekday is 1 (Monday) … 7 (Sunday) as in ISO and luxon. */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1–12).
 * Howard Hinnant's `days_from_civil`, valid for every year luxon can represent.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of `daysFromCivil`: the date of a day number (month 1–12). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Splits a wall value into its fields. */
export function wallFields(wall: number): WallFields {
  const days = Math.floor(wall / DAY_MS);
  let rest = wall - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(rest / HOUR_MS);
  rest -= hour * HOUR_MS;
  const minute = Math.floor(rest / MINUTE_MS);
  rest -= minute * MINUTE_MS;
  const second = Math.floor(rest / 1000);
  return { year, month, day, hour, minute, second, millisecond: rest - second * 1000 };
}

/** The wall value of a date at midnight. */
export function wallOfDate(year: number, month: number, day: number): number {
  return daysFromCivil(year, month, day) * DAY_MS;
}

/** Day number (days since 1970-01-01) of a wall value. */
export function wallDay(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Months since year 0 (`year * 12 + month - 1`): monthly windows are counted on this scale. */
export function monthNumber(year: number, month: number): number {
  return year * 12 + month - 1;
}

/** The wall value of the first day of a month number, at midnight. */
export function wallOfMonthNumber(months: number): number {
  const year = Math.floor(months / 12);
  return wallOfDate(year, months - year * 12 + 1, 1);
}

const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** English name of an ISO weekday (1 = Monday), for error messages. */
export function weekdayName(isoDay: number): string {
  return WEEKDAY_NAMES[isoDay - 1] ?? `weekday ${isoDay}`;
}

/** Zero-padded decimal, sign in front. */
export function padNumber(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, "0");
  return value < 0 ? `-${text}` : text;
}

/** `yyyy-MM-dd` of a wall value. */
export function formatWallDate(wall: number): string {
  const { year, month, day } = civilFromDays(wallDay(wall));
  return `${padNumber(year, 4)}-${padNumber(month, 2)}-${padNumber(day, 2)}`;
}

/** `yyyy-MM-dd'T'HH:mm:ss` of a wall value (milliseconds dropped: window bounds are whole seconds). */
export function formatWallDateTime(wall: number, separator = "T"): string {
  const f = wallFields(wall);
  return `${formatWallDate(wall)}${separator}${padNumber(f.hour, 2)}:${padNumber(f.minute, 2)}:${padNumber(f.second, 2)}`;
}

/** `+HH:mm` / `-HH:mm` (or `+HHmm` when `compact`) of an offset in milliseconds. */
export function formatOffset(offsetMs: number, compact = false): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const minutes = Math.round(Math.abs(offsetMs) / MINUTE_MS);
  const hh = padNumber(Math.floor(minutes / 60), 2);
  const mm = padNumber(minutes % 60, 2);
  return compact ? `${sign}${hh}${mm}` : `${sign}${hh}:${mm}`;
}
