/**
 * The errors of this package, one builder per failure, so every message has the same shape:
 * what was wrong (the key or field), where (the definition) and what is expected instead.
 * Messages stay on one line; `details` carries the same facts for programs.
 */
import { AlmanacError } from "@almanac/errors";
import type { TimeGrid } from "./time-window.js";
import { DAY_MS, formatWallDate, formatWallDateTime } from "./wall-clock.js";

function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** A key that does not parse with the definition's format (or names no date, like 2023-02-29). */
export function malformedKey(grid: TimeGrid, key: unknown, reason: string): AlmanacError {
  const { name, format } = grid.def;
  const what =
    typeof key === "string" ? `partition key ${quote(key)}` : `partition key ${quote(key)} (a ${typeof key})`;
  const why = reason === "no such date or time" ? ": no such date or time" : "";
  return new AlmanacError(
    "ALMANAC_BAD_PARTITION_KEY",
    `${what} is not a valid key of ${quote(name)}${why} (expected ${format}, e.g. ${quote(grid.keyOf(0))})`,
    { key, definition: name, format },
  );
}

/** A key that parses but is not spelled the way the definition prints it (`2024-3-5`). */
export function nonCanonicalKey(grid: TimeGrid, key: string, canonical: string): AlmanacError {
  const { name, format } = grid.def;
  return new AlmanacError(
    "ALMANAC_BAD_PARTITION_KEY",
    `partition key ${quote(key)} is not a canonical key of ${quote(name)} (expected ${format}, e.g. ${quote(canonical)})`,
    { key, definition: name, expected: canonical },
  );
}

/** A key whose time is not the start of a window (a Wednesday for weekly, the 15th for monthly). */
export function misalignedKey(grid: TimeGrid, key: string, rule: string, containing: string): AlmanacError {
  const { name } = grid.def;
  return new AlmanacError(
    "ALMANAC_BAD_PARTITION_KEY",
    `partition key ${quote(key)} is not the start of a window of ${quote(name)} (${rule}; the window containing it is ${quote(containing)})`,
    { key, definition: name, expected: containing },
  );
}

/** An hourly key naming a local time that clocks skip when they spring forward. */
export function skippedKey(grid: TimeGrid, key: string): AlmanacError {
  const { name, timezone } = grid.def;
  return new AlmanacError(
    "ALMANAC_BAD_PARTITION_KEY",
    `partition key ${quote(key)} of ${quote(name)} names a local time that does not exist in ${timezone} (clocks skip it when they spring forward)`,
    { key, definition: name, timezone },
  );
}

/** A key before the first window. */
export function keyBeforeStart(grid: TimeGrid, key: string): AlmanacError {
  const { name } = grid.def;
  const first = grid.keyOf(0);
  return new AlmanacError(
    "ALMANAC_PARTITION_OUT_OF_RANGE",
    `partition key ${quote(key)} is before the start of ${quote(name)} (${first})`,
    { key, definition: name, first },
  );
}

/** Local date (and time unless midnight) of an instant in the definition's zone. */
function localTime(grid: TimeGrid, instant: number): string {
  const wall = grid.clock.wallAt(instant);
  return wall % DAY_MS === 0 ? formatWallDate(wall) : formatWallDateTime(wall);
}

/** A key at or after the definition's exclusive end. */
export function keyAfterEnd(grid: TimeGrid, key: string): AlmanacError {
  const { name, end } = grid.def;
  const last = grid.keyOf(grid.lastIndex);
  const endText = end === undefined ? "" : `${localTime(grid, end.toMillis())}, exclusive; `;
  return new AlmanacError(
    "ALMANAC_PARTITION_OUT_OF_RANGE",
    `partition key ${quote(key)} is at or after the end of ${quote(name)} (${endText}the last key is ${quote(last)})`,
    { key, definition: name, last },
  );
}

/** A key after the last partition that exists at `now` (see `lastPartitionKey`). */
export function keyAfterLast(grid: TimeGrid, key: string, now: Date, last: string | undefined): AlmanacError {
  const { name, endOffset } = grid.def;
  const rule =
    endOffset === 0
      ? "a window counts once it has ended"
      : `end_offset ${endOffset} shifts the last partition by ${endOffset} window(s)`;
  const lastText = last === undefined ? "no partition exists yet" : `the last is ${quote(last)}`;
  return new AlmanacError(
    "ALMANAC_PARTITION_OUT_OF_RANGE",
    `partition key ${quote(key)} is after the last partition of ${quote(name)} at ${now.toISOString()} (${lastText}; ${rule})`,
    { key, definition: name, now: now.toISOString(), last },
  );
}

/** A range whose `from` key comes after its `to` key. */
export function reversedRange(grid: TimeGrid, from: string, to: string): AlmanacError {
  const { name } = grid.def;
  return new AlmanacError(
    "ALMANAC_BAD_PARTITION_RANGE",
    `partition range ${quote(from)}..${quote(to)} of ${quote(name)} is reversed (from must not be after to; did you mean ${quote(to)}..${quote(from)}?)`,
    { from, to, definition: name },
  );
}

/** A partitions definition that cannot be used, naming the field at fault. */
export function badDefinition(name: unknown, field: string, message: string, value?: unknown): AlmanacError {
  return new AlmanacError("ALMANAC_BAD_PARTITIONS_DEFINITION", `partitions definition ${quote(name)}: ${message}`, {
    definition: name,
    field,
    value,
  });
}
