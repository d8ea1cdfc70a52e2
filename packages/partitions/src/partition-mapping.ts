/**
 * Partition mappings: which partitions of an upstream asset a partition of a downstream asset
 * reads, and back. Both sides are time-window definitions, possibly of other grains and zones.
 *
 * The rule is Dagster's `TimeWindowPartitionMapping`: a downstream window reads the upstream
 * windows that overlap it (a New York day its 23, 24 or 25 hours, a month its days), then the
 * first of those moves by `startOffset` upstream partitions and the last by `endOffset`
 * (`{startOffset: -6, endOffset: 0}`: the day and the six before it; `{-1, -1}` on itself: the
 * day before). The result is clipped to the upstream definition's range, so the first day of a
 * rolling window reads one day, and the first day of a running total reads nothing.
 */
import { indexRange } from "./key-range.js";
import { type TimeGrid, timeGrid } from "./time-window.js";
import type { PartitionsDefinition } from "./types.js";

/** Offsets in upstream partitions; `{0, 0}` is plain overlap. */
export interface TimeWindowMapping {
  readonly startOffset: number;
  readonly endOffset: number;
}

/** Plain overlap: what a dependency maps to when no mapping is given. */
export const overlapMapping: TimeWindowMapping = Object.freeze({ startOffset: 0, endOffset: 0 });

/** An inclusive range of keys of one definition. */
export interface KeyRange {
  readonly from: string;
  readonly to: string;
}

/** Window numbers `[first, last]` clipped to the grid's range, or undefined when nothing is left. */
function clip(grid: TimeGrid, first: number, last: number): { first: number; last: number } | undefined {
  const from = Math.max(0, first);
  const to = Math.min(grid.lastIndex, last);
  return from <= to ? { first: from, last: to } : undefined;
}

/**
 * The upstream keys that downstream keys `from..to` read: undefined when the mapping leaves
 * none inside the upstream definition's range. Validates both keys.
 */
export function upstreamKeysOf(
  downstream: PartitionsDefinition,
  range: KeyRange,
  upstream: PartitionsDefinition,
  mapping: TimeWindowMapping = overlapMapping,
): KeyRange | undefined {
  const down = timeGrid(downstream);
  const up = timeGrid(upstream);
  const { first, last } = indexRange(down, range.from, range.to);
  const overlapFirst = up.indexOfInstant(down.startOf(first));
  const overlapLast = up.indexOfInstant(down.startOf(last + 1) - 1);
  const mapped = clip(up, overlapFirst + mapping.startOffset, overlapLast + mapping.endOffset);
  return mapped && { from: up.keyOf(mapped.first), to: up.keyOf(mapped.last) };
}

/**
 * The downstream keys that read any of upstream keys `from..to` (the inverse of
 * `upstreamKeysOf`, for staleness and automation): undefined when none lies inside the
 * downstream definition's range. Validates both keys.
 */
export function downstreamKeysOf(
  upstream: PartitionsDefinition,
  range: KeyRange,
  downstream: PartitionsDefinition,
  mapping: TimeWindowMapping = overlapMapping,
): KeyRange | undefined {
  const up = timeGrid(upstream);
  const down = timeGrid(downstream);
  const { first, last } = indexRange(up, range.from, range.to);
  // Downstream d reads upstream [f(d) + startOffset, l(d) + endOffset], where f(d) and l(d) are
  // the first and last upstream windows overlapping d. That meets [first, last] exactly when
  // d ends after upstream window (first - endOffset) starts and d starts before upstream window
  // (last - startOffset) ends.
  const firstReader = down.indexOfInstant(up.startOf(first - mapping.endOffset));
  const lastReader = down.indexOfInstant(up.startOf(last - mapping.startOffset + 1) - 1);
  const mapped = clip(down, firstReader, lastReader);
  return mapped && { from: down.keyOf(mapped.first), to: down.keyOf(mapped.last) };
}
