// Calendar days as `YYYY-MM-DD` strings. The trip timestamps are wall-clock times without a
// zone (as in the TLC files), so plain UTC date arithmetic is exact here: no DST involved.

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const msPerDay = 86_400_000;

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

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return (dayNumber(day) + 4) % 7; // 1970-01-01 was a Thursday
}

/** Every day from `from` to `to`, both inclusive; throws when `from` is after `to`. */
export function daysInRange(from: string, to: string): string[] {
  const first = dayNumber(from);
  const last = dayNumber(to);
  if (first > last) throw new Error(`from ${from} is after to ${to}`);
  const days: string[] = [];
  for (let n = first; n <= last; n++) days.push(addDays(from, n - first));
  return days;
}
