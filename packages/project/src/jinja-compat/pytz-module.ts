import { AlmanacError } from "@almanac/errors";
import { IANAZone } from "luxon";
import { PytzTimezone } from "./tz-info.js";
import { findZone } from "./zone-offsets.js";

/**
 * What `modules.pytz` answers: `timezone(name)`, `utc` / `UTC`. Zones are built once per name;
 * a zone object is immutable, so one instance serves every template.
 */

const utc = new PytzTimezone("UTC", IANAZone.create("UTC"));
const zones = new Map<string, PytzTimezone>([["utc", utc]]);

/** `pytz.timezone(name)`: unknown names fail as pytz's UnknownTimeZoneError does. */
function timezone(name: unknown): PytzTimezone {
  const key = String(name).toLowerCase();
  const known = zones.get(key);
  if (known !== undefined) return known;
  const zone = typeof name === "string" || name instanceof String ? findZone(String(name)) : undefined;
  if (zone === undefined) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `UnknownTimeZoneError: ${JSON.stringify(String(name))} is not a time zone: use an IANA name such as 'America/Los_Angeles' or 'UTC'`,
    );
  }
  // pytz looks names up case-insensitively and prints the database's spelling; ICU gives that
  // spelling for canonical names, and an alias (US/Pacific) keeps the spelling it was given.
  const created = new PytzTimezone(canonicalSpelling(String(name)), zone);
  zones.set(key, created);
  return created;
}

function canonicalSpelling(name: string): string {
  const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

export const pytzModule = Object.freeze({ timezone, utc, UTC: utc });
