/**
 * The last partition at a given "now", and every key up to it.
 *
 * With `end_offset` 0 the last partition is the last window that has ended (window end <= now),
 * so a schedule firing at 03:00 on 2024-01-02 targets 2024-01-01 and never a half-filled day.
 * `end_offset` 1 adds the window that is still open, 2 the one after it, -1 drops the last ended
 * one. `end` caps it. Nothing here reads the clock: `now` is always an argument.
 */
import type { TimeGrid } from "./time-window.js";
import { timeGrid } from "./time-window.js";
import type { PartitionsDefinition } from "./types.js";

function instantOf(now: Date, caller: string): number {
  const time = now instanceof Date ? now.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new TypeError(`${caller}: now must be a valid Date`);
  return time;
}

/** Window number of the last partition at `now`, or `undefined` when there is none yet. */
export function lastPartitionIndex(grid: TimeGrid, now: Date): number | undefined {
  // The window containing `now` is the open one; at an exact boundary it is the one starting
  // at `now`, so the window ending at `now` counts as ended.
  const open = grid.indexOfInstant(instantOf(now, "lastPartitionKey"));
  const last = Math.min(open - 1 + grid.def.endOffset, grid.lastIndex);
  return last >= 0 ? last : undefined;
}

/**
 * The key of the last partition at `now`: with `endOffset` 0 the last window whose end is at or
 * before `now`; `endOffset` n shifts that by n windows (1 adds the open window, -1 drops one).
 * Capped by the definition's `end`.
 * @returns `undefined` when no partition exists yet (e.g. `now` is inside the first window and `endOffset` is 0).
 */
export function lastPartitionKey(def: PartitionsDefinition, now: Date): string | undefined {
  const grid = timeGrid(def);
  const last = lastPartitionIndex(grid, now);
  return last === undefined ? undefined : grid.keyOf(last);
}

/**
 * The key of the first partition, or `undefined` when none exists yet at `now`: the other end
 * of the range {@link partitionKeys} lists, without building the list.
 */
export function firstPartitionKey(def: PartitionsDefinition, now: Date): string | undefined {
  const grid = timeGrid(def);
  return lastPartitionIndex(grid, now) === undefined ? undefined : grid.keyOf(0);
}

/**
 * Every key from the first window to the last partition at `now` (see `lastPartitionKey`),
 * oldest first; empty when there is none yet.
 */
export function partitionKeys(def: PartitionsDefinition, now: Date): string[] {
  const grid = timeGrid(def);
  const last = lastPartitionIndex(grid, now);
  return last === undefined ? [] : grid.keysBetween(0, last);
}
