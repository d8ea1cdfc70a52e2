import { IANAZone } from "luxon";

/**
 * UTC offsets of IANA zones as pytz gives them. The zone rules come from the tz database that
 * Node's ICU carries (through luxon); what is pytz's own here is how it reads them: offsets
 * rounded to the whole minute (pytz's tzfile reader does so, so Los Angeles' local mean time
 * -7:52:58 is -07:53), and `localize` resolving ambiguous and skipped wall clocks.
 */

const DAY = 86_400_000;

/** The zone of `name` (case-insensitive, as pytz looks names up), or undefined when unknown. */
export function findZone(name: string): IANAZone | undefined {
  // Intl also takes offsets ("+05:00"); pytz knows only names.
  if (!/^[A-Za-z]/.test(name)) return undefined;
  const zone = IANAZone.create(name);
  return zone.isValid ? zone : undefined;
}

/** The zone's offset at the instant `utcMillis`, in seconds, rounded as pytz rounds it. */
export function offsetAt(zone: IANAZone, utcMillis: number): number {
  const seconds = Math.round(zone.offset(utcMillis) * 60);
  return Math.floor((seconds + 30) / 60) * 60;
}

// Before its first transition a zone keeps its earliest offset (local mean time, mostly):
// what pytz attaches when its zone is passed as `tzinfo=` directly.
const EARLIEST = Date.UTC(1000, 0, 1);

/** The offset pytz's zone object carries before `localize`: the zone's earliest one. */
export function earliestOffset(zone: IANAZone): number {
  return offsetAt(zone, EARLIEST);
}

/**
 * The offset `tz.localize(wall)` picks (pytz's default `is_dst=False`) for the wall clock
 * `wallMillis` (read as UTC). pytz tries the offsets in force a day either side: a wall clock
 * one of them fits is unambiguous; one both fit (the hour repeated when clocks go back) takes
 * the standard offset, the smaller one; one neither fits (skipped when clocks go forward) keeps
 * the offset in force before the change, so 02:30 on a spring-forward night is 02:30-08:00 in
 * Los Angeles.
 */
export function localizeOffset(zone: IANAZone, wallMillis: number): number {
  const fitting = [offsetAt(zone, wallMillis - DAY), offsetAt(zone, wallMillis + DAY)].filter(
    (offset) => offsetAt(zone, wallMillis - offset * 1000) === offset,
  );
  if (fitting.length === 0) return localizeOffset(zone, wallMillis - 6 * 3_600_000);
  return Math.min(...fitting);
}
