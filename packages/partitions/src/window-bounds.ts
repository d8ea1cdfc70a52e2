/**
 * The bounds a run renders its models with: from the start of the first key's window to the
 * end of the last key's window (exclusive), in every spelling SQL needs. A model filters
 * `where ts >= '{{ var("min_ts") }}' and ts < '{{ var("max_ts") }}'`; the exclusive end is what
 * keeps a run of 2024-01-01 from touching 2024-01-02.
 */
import { DateTime } from "luxon";
import { indexRange } from "./key-range.js";
import { timeGrid } from "./time-window.js";
import type { PartitionsDefinition, WindowBounds, WindowVars } from "./types.js";
import { formatWallDate, formatWallDateTime } from "./wall-clock.js";

/**
 * Bounds of the run over keys `fromKey..toKey` (both included; pass the same key twice for one
 * partition). Dates are local to the definition's zone: `startDate`/`endDate` are `yyyy-MM-dd`
 * for daily, weekly and monthly and `yyyy-MM-dd HH:mm:ss` for hourly; `startTs`/`endTs` are
 * ISO-8601 with the zone's offset at that instant (luxon `toISO()`), so a 25-hour DST day reads
 * `2024-10-27T00:00:00.000+02:00` to `2024-10-28T00:00:00.000+01:00`.
 * @throws AlmanacError ALMANAC_BAD_PARTITION_KEY, ALMANAC_PARTITION_OUT_OF_RANGE, ALMANAC_BAD_PARTITION_RANGE
 */
export function windowBounds(def: PartitionsDefinition, fromKey: string, toKey: string): WindowBounds {
  const grid = timeGrid(def);
  const { first, last } = indexRange(grid, fromKey, toKey);
  const start = grid.startOf(first);
  const end = grid.startOf(last + 1);
  const startWall = grid.clock.wallAt(start);
  const endWall = grid.clock.wallAt(end);
  const dateOf = def.type === "hourly" ? (wall: number) => formatWallDateTime(wall, " ") : formatWallDate;
  return Object.freeze({
    startDate: dateOf(startWall),
    endDate: dateOf(endWall),
    startTs: isoWithOffset(start, def.timezone),
    endTs: isoWithOffset(end, def.timezone),
    startLocal: formatWallDateTime(startWall),
    endLocal: formatWallDateTime(endWall),
    timezone: def.timezone,
  });
}

function isoWithOffset(instant: number, zone: string): string {
  // toISO() is only null for invalid DateTimes; the zone was validated by definePartitions.
  return DateTime.fromMillis(instant, { zone }).toISO() ?? new Date(instant).toISOString();
}

/**
 * The template variables of a run: `min_date`/`max_date` (local dates, max exclusive) and
 * `min_ts`/`max_ts` (ISO-8601 with offset, max exclusive), as models read them with `var(...)`.
 */
export function windowVars(bounds: WindowBounds): WindowVars {
  return Object.freeze({
    min_date: bounds.startDate,
    max_date: bounds.endDate,
    min_ts: bounds.startTs,
    max_ts: bounds.endTs,
  });
}
