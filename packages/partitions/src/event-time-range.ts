/**
 * dbt's `--event-time-start` / `--event-time-end` as partition keys: the windows that hold any
 * instant of `[start, end)`. Times without an offset are UTC, as dbt reads them.
 */
import { AlmanacError } from "@almanac/errors";
import { DateTime } from "luxon";
import { keyForInstant } from "./partition-key.js";
import type { KeyRange } from "./partition-mapping.js";
import type { PartitionsDefinition } from "./types.js";

/** @throws AlmanacError ALMANAC_BAD_PARTITION_RANGE for a time that does not parse or an empty range */
export function keysForEventTime(def: PartitionsDefinition, start: string, end: string): KeyRange {
  const from = instantOf("event-time-start", start);
  const to = instantOf("event-time-end", end);
  if (to <= from) {
    throw new AlmanacError(
      "ALMANAC_BAD_PARTITION_RANGE",
      `event-time-end ${end} must be after event-time-start ${start}`,
    );
  }
  return { from: keyForInstant(def, new Date(from)), to: keyForInstant(def, new Date(to - 1)) };
}

function instantOf(flag: string, text: string): number {
  const parsed = DateTime.fromISO(text.trim().replace(" ", "T"), { zone: "UTC" });
  if (!parsed.isValid) {
    throw new AlmanacError(
      "ALMANAC_BAD_PARTITION_RANGE",
      `${flag} ${JSON.stringify(text)} is not a date or time (use 2024-03-01 or 2024-03-01T06:00:00)`,
    );
  }
  return parsed.toMillis();
}
