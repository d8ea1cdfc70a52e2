/**
 * The window grid of a definition: window number `i` (0 = the window starting at `start`)
 * to its start instant, its key, and back.
 *
 * Every other module works on window numbers, so a range is two numbers, a count is a
 * subtraction and enumeration is a loop without parsing. How windows are cut:
 * - hourly windows are fixed 3,600-second steps from `start`: on a fall-back day there are 25 of
 *   them and the repeated local hour gets a key with its offset appended (as Dagster does),
 *   e.g. `2024-11-03-01:00` then `2024-11-03-01:00-0500`; on a spring-forward day there are 23.
 * - daily, weekly and monthly windows follow the local calendar: each starts at the first
 *   instant of its local date (midnight, or the moment clocks jump if midnight is skipped), so
 *   a daily window lasts 23, 24 or 25 hours.
 */
import type { KeyFormat } from "./key-format.js";
import { keyFormat } from "./key-format.js";
import type { PartitionGranularity, PartitionsDefinition } from "./types.js";
import { civilFromDays, DAY_MS, formatOffset, HOUR_MS, monthNumber, wallDay, wallOfMonthNumber } from "./wall-clock.js";
import type { ZoneClock } from "./zone-clock.js";
import { zoneClock } from "./zone-clock.js";

/** A definition's windows, numbered from 0. Get one with `timeGrid(def)`. */
export interface TimeGrid {
  readonly def: PartitionsDefinition;
  readonly type: PartitionGranularity;
  readonly clock: ZoneClock;
  readonly format: KeyFormat;
  /** Number of the last window that starts before `end`; `Infinity` when the definition is open-ended. */
  readonly lastIndex: number;
  /** Number of the window containing `instant` (epoch ms); negative before `start`, no upper check. */
  indexOfInstant(instant: number): number;
  /**
   * Number of the window containing wall value `wall` on the local calendar (daily, weekly,
   * monthly), or `undefined` for hourly, whose windows are cut on instants.
   */
  indexOfWall(wall: number): number | undefined;
  /** Whether a calendar window starts exactly at wall value `wall` (always false for hourly). */
  startsAtWall(wall: number): boolean;
  /** Start instant (epoch ms) of window `index`; window `index` ends where `index + 1` starts. */
  startOf(index: number): number;
  /** The key of window `index`. */
  keyOf(index: number): string;
  /** Keys of windows `from..to`, both included. */
  keysBetween(from: number, to: number): string[];
}

function calendarGrid(def: PartitionsDefinition, clock: ZoneClock, format: KeyFormat): Omit<TimeGrid, "lastIndex"> {
  const startWall = clock.wallAt(def.start.toMillis());
  const startDay = wallDay(startWall);
  const startDate = civilFromDays(startDay);
  const startMonth = monthNumber(startDate.year, startDate.month);
  const daysPerWindow = def.type === "weekly" ? 7 : 1;
  // Months and years are both counted in months: a year is a window of twelve.
  const monthsPerWindow = def.type === "yearly" ? 12 : def.type === "monthly" ? 1 : 0;

  // The nominal wall value of a window start: local midnight of its first day.
  const wallOf =
    monthsPerWindow > 0
      ? (index: number): number => wallOfMonthNumber(startMonth + index * monthsPerWindow)
      : (index: number): number => (startDay + index * daysPerWindow) * DAY_MS;

  const indexOfWall = (wall: number): number => {
    if (monthsPerWindow > 0) {
      const { year, month } = civilFromDays(wallDay(wall));
      return Math.floor((monthNumber(year, month) - startMonth) / monthsPerWindow);
    }
    return Math.floor((wallDay(wall) - startDay) / daysPerWindow);
  };

  const startOf = (index: number): number => clock.firstInstantAtOrAfterWall(wallOf(index));
  // Offsets are looked up only when the pattern prints one: calendar keys are plain dates.
  const keyOf = (index: number): string =>
    format.format(wallOf(index), format.printsOffset ? clock.offsetAt(startOf(index)) : 0);

  return {
    def,
    type: def.type,
    clock,
    format,
    indexOfInstant: (instant) => indexOfWall(clock.wallAt(instant)),
    indexOfWall,
    startsAtWall: (wall) => wallOf(indexOfWall(wall)) === wall,
    startOf,
    keyOf,
    keysBetween: (from, to) => {
      const keys: string[] = [];
      for (let index = from; index <= to; index++) keys.push(keyOf(index));
      return keys;
    },
  };
}

function hourlyGrid(def: PartitionsDefinition, clock: ZoneClock, format: KeyFormat): Omit<TimeGrid, "lastIndex"> {
  const start = def.start.toMillis();

  const keyAtInstant = (instant: number, offset: number): string => {
    const key = format.format(instant + offset, offset);
    // The second pass of a repeated local hour would print the same key as the first:
    // append its offset, like Dagster's dst_safe_strftime does with %z.
    return !format.printsOffset && clock.isRepeatedWall(instant) ? `${key}${formatOffset(offset, true)}` : key;
  };

  return {
    def,
    type: def.type,
    clock,
    format,
    indexOfInstant: (instant) => Math.floor((instant - start) / HOUR_MS),
    indexOfWall: () => undefined,
    startsAtWall: () => false,
    startOf: (index) => start + index * HOUR_MS,
    keyOf: (index) => {
      const instant = start + index * HOUR_MS;
      return keyAtInstant(instant, clock.offsetAt(instant));
    },
    keysBetween: (from, to) => {
      const keys: string[] = [];
      let day = Number.NaN;
      let steady: number | undefined;
      for (let index = from; index <= to; index++) {
        const instant = start + index * HOUR_MS;
        // Most days have one offset and no repeated hour: skip the per-key DST checks there.
        if (Math.floor(instant / DAY_MS) !== day) {
          day = Math.floor(instant / DAY_MS);
          steady = clock.steadyOffsetOn(day);
        }
        keys.push(
          steady === undefined
            ? keyAtInstant(instant, clock.offsetAt(instant))
            : format.format(instant + steady, steady),
        );
      }
      return keys;
    },
  };
}

function buildGrid(def: PartitionsDefinition): TimeGrid {
  const clock = zoneClock(def.timezone);
  const format = keyFormat(def.format);
  const grid = def.type === "hourly" ? hourlyGrid(def, clock, format) : calendarGrid(def, clock, format);
  // The last window is the one holding the last millisecond before the exclusive end.
  const lastIndex = def.end === undefined ? Number.POSITIVE_INFINITY : grid.indexOfInstant(def.end.toMillis() - 1);
  return { ...grid, lastIndex };
}

const grids = new WeakMap<PartitionsDefinition, TimeGrid>();

/** The (cached) window grid of a definition built by `definePartitions`. */
export function timeGrid(def: PartitionsDefinition): TimeGrid {
  let grid = grids.get(def);
  if (grid === undefined) {
    grid = buildGrid(def);
    grids.set(def, grid);
  }
  return grid;
}
