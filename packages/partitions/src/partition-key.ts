/**
 * Partition keys in and out: validate a key a caller hands in, turn it into its window, and
 * find the key of an instant or of a neighbouring window.
 *
 * A key is valid when it parses with the definition's format, prints back exactly (so each
 * window has one spelling and store rows never split between `2024-3-5` and `2024-03-05`),
 * names the start of a window, and lies in `[start, end)`.
 */
import { DateTime } from "luxon";
import { lastPartitionIndex } from "./last-partition.js";
import {
  keyAfterEnd,
  keyAfterLast,
  keyBeforeStart,
  malformedKey,
  misalignedKey,
  nonCanonicalKey,
  skippedKey,
} from "./partition-errors.js";
import type { TimeGrid } from "./time-window.js";
import { timeGrid } from "./time-window.js";
import type { PartitionsDefinition, PartitionWindow } from "./types.js";

const ALIGNMENT_RULES = {
  hourly: "hourly windows start on the hour",
  daily: "daily windows start at midnight",
  weekly: "weekly windows start on Sunday at midnight",
  monthly: "monthly windows start on the 1st at midnight",
  yearly: "yearly windows start on January 1st at midnight",
} as const;

/** Start instant of the window a parsed key names, or why it names none. */
function instantOfHourlyKey(grid: TimeGrid, key: string, wall: number, offset: number | undefined): number {
  if (offset !== undefined) return wall - offset;
  const instants = grid.clock.instantsOfWall(wall);
  // A repeated local hour without suffix means its first pass; the second pass carries its offset.
  if (instants[0] === undefined) throw skippedKey(grid, key);
  return instants[0];
}

/**
 * The window number of `key`, checking format, canonical spelling and alignment but not the
 * range (callers decide whether before-start is an error). Throws ALMANAC_BAD_PARTITION_KEY.
 */
export function indexOfKey(grid: TimeGrid, key: string): number {
  if (typeof key !== "string") throw malformedKey(grid, key, "not a string");
  const { format } = grid;
  let parsed = format.parse(key);
  if (!parsed.ok && grid.type === "hourly" && !format.printsOffset) {
    const suffixed = format.parse(key, true);
    if (suffixed.ok) parsed = suffixed;
  }
  if (!parsed.ok) {
    const lenient = parsed.reason === "does not match" ? format.parseLenient(key) : undefined;
    if (lenient?.ok) throw nonCanonicalKey(grid, key, format.format(lenient.wall, lenient.offset ?? 0));
    throw malformedKey(grid, key, parsed.reason);
  }

  const { wall, offset } = parsed;
  if (grid.type !== "hourly") {
    const index = grid.indexOfWall(wall) ?? 0;
    if (!grid.startsAtWall(wall)) throw misalignedKey(grid, key, ALIGNMENT_RULES[grid.type], grid.keyOf(index));
    const canonical = grid.keyOf(index);
    if (canonical !== key) throw nonCanonicalKey(grid, key, canonical);
    return index;
  }

  const instant = instantOfHourlyKey(grid, key, wall, offset);
  const index = grid.indexOfInstant(instant);
  if (grid.startOf(index) !== instant) {
    throw misalignedKey(grid, key, ALIGNMENT_RULES.hourly, grid.keyOf(index));
  }
  const canonical = grid.keyOf(index);
  if (canonical !== key) throw nonCanonicalKey(grid, key, canonical);
  return index;
}

/** `indexOfKey`, then ALMANAC_PARTITION_OUT_OF_RANGE unless the window lies in `[start, end)`. */
export function indexOfKeyInRange(grid: TimeGrid, key: string): number {
  const index = indexOfKey(grid, key);
  if (index < 0) throw keyBeforeStart(grid, key);
  if (index > grid.lastIndex) throw keyAfterEnd(grid, key);
  return index;
}

function windowAt(grid: TimeGrid, index: number, key: string): PartitionWindow {
  const zone = grid.def.timezone;
  return Object.freeze({
    key,
    start: DateTime.fromMillis(grid.startOf(index), { zone }),
    end: DateTime.fromMillis(grid.startOf(index + 1), { zone }),
  });
}

/**
 * The half-open window `[start, end)` of a key, as DateTimes in the definition's zone.
 * Validates the key (format, canonical spelling, window start, `start <= key < end`); does not
 * need "now", so it accepts keys of windows that have not ended yet.
 * @throws AlmanacError ALMANAC_BAD_PARTITION_KEY, ALMANAC_PARTITION_OUT_OF_RANGE
 */
export function windowForKey(def: PartitionsDefinition, key: string): PartitionWindow {
  const grid = timeGrid(def);
  return windowAt(grid, indexOfKeyInRange(grid, key), key);
}

/**
 * Throws unless `key` is a valid key of `def`, as `windowForKey` checks; when `now` is given,
 * also unless the key is at or before the last partition at `now` (see `lastPartitionKey`).
 * @param now - the current time, passed in; omit to accept future windows.
 * @throws AlmanacError ALMANAC_BAD_PARTITION_KEY, ALMANAC_PARTITION_OUT_OF_RANGE
 */
export function validatePartitionKey(def: PartitionsDefinition, key: string, now?: Date): void {
  const grid = timeGrid(def);
  const index = indexOfKeyInRange(grid, key);
  if (now === undefined) return;
  const last = lastPartitionIndex(grid, now);
  if (last === undefined || index > last) {
    throw keyAfterLast(grid, key, now, last === undefined ? undefined : grid.keyOf(last));
  }
}

/**
 * The key of the window containing `instant`, with no range check: instants before `start` or
 * after `end` get the key their window would have.
 */
export function keyForInstant(def: PartitionsDefinition, instant: Date): string {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new TypeError("keyForInstant: instant is an invalid Date");
  const grid = timeGrid(def);
  return grid.keyOf(grid.indexOfInstant(time));
}

/**
 * The key of the window after `key`, or `undefined` when `key` is the last window before `end`.
 * Validates `key` like `windowForKey`.
 */
export function nextKey(def: PartitionsDefinition, key: string): string | undefined {
  const grid = timeGrid(def);
  const index = indexOfKeyInRange(grid, key);
  return index + 1 > grid.lastIndex ? undefined : grid.keyOf(index + 1);
}

/**
 * The key of the window before `key`, or `undefined` when `key` is the first window.
 * Validates `key` like `windowForKey`.
 */
export function previousKey(def: PartitionsDefinition, key: string): string | undefined {
  const grid = timeGrid(def);
  const index = indexOfKeyInRange(grid, key);
  return index === 0 ? undefined : grid.keyOf(index - 1);
}

/**
 * The number of `key`'s window in its definition (0 for the first), for ordering keys and
 * telling whether two are neighbours. Validates `key` like `windowForKey`.
 */
export function partitionIndex(def: PartitionsDefinition, key: string): number {
  return indexOfKeyInRange(timeGrid(def), key);
}
