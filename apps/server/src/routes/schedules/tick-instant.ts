import { AlmanacError } from "@almanac/errors";

/** An ISO-8601 instant with a time and an explicit offset: a bare date or local time is ambiguous. */
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The instant a manual tick stands for: `at`, else `now`. A tick later than now would launch
 * a partition whose data may still be arriving, so it is refused.
 *
 * @throws AlmanacError `ALMANAC_BAD_REQUEST` for a malformed or future `at`.
 */
export function tickInstant(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  const instant = new Date(at);
  // `Date` rolls 2024-02-30 over to March 1st; the calendar date must read back unchanged.
  const day = at.slice(0, 10);
  const realDay =
    !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (!isoInstant.test(at) || !realDay || Number.isNaN(instant.getTime())) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `body/at ${JSON.stringify(at)} is not an ISO-8601 instant with an offset, e.g. 2024-01-10T03:00:00Z`,
    );
  }
  if (instant.getTime() > now.getTime()) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `body/at ${at} is in the future (now is ${now.toISOString()}): a tick targets partitions that are complete`,
    );
  }
  return instant;
}
