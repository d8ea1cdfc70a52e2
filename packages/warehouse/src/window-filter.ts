import { AlmanacError } from "@almanac/errors";
import { type Column, quoteIdentifier } from "./relations.js";
import type { TimeWindow } from "./types.js";

/** A `column >= $1 and column < $2` condition and the values to bind. */
export interface WindowPredicate {
  readonly sql: string;
  readonly params: readonly [string, string];
}

/** Which pair of window bounds fits a column type, and the cast that makes Postgres compare like with like. */
interface BoundsForType {
  readonly cast: "date" | "timestamptz" | "timestamp";
  readonly bounds: (window: TimeWindow) => readonly [string, string];
}

const dateBounds: BoundsForType = { cast: "date", bounds: (w) => [w.startDate, w.endDate] };
// Instants with offsets: correct whatever the session's TimeZone is, and on DST days.
const instantBounds: BoundsForType = { cast: "timestamptz", bounds: (w) => [w.startTs, w.endTs] };
// Wall-clock values in the partitions' zone, compared as such.
const localBounds: BoundsForType = { cast: "timestamp", bounds: (w) => [w.startLocal, w.endLocal] };

function boundsForType(dataType: string): BoundsForType | undefined {
  if (dataType === "date") return dateBounds;
  if (/^timestamp(\(\d+\))? with time zone$/.test(dataType)) return instantBounds;
  if (/^timestamp(\(\d+\))? without time zone$/.test(dataType)) return localBounds;
  return undefined;
}

/**
 * The half-open window condition `[start, end)` on `timeColumn` of `alias`, choosing the bounds
 * by the column's type. Bounds are bind parameters `$1`/`$2`, never spliced into the SQL.
 *
 * @param columns - the columns of the relation `alias` stands for (model output or target)
 * @param what - how to name that relation in errors, e.g. `the output of model "s"."t"`
 * @throws AlmanacError `ALMANAC_BAD_MODEL_CONFIG` when the column is missing or is not a
 *   `date`, `timestamp` or `timestamptz`.
 */
export function windowPredicate(
  columns: readonly Column[],
  timeColumn: string,
  window: TimeWindow,
  alias: string,
  what: string,
): WindowPredicate {
  const column = columns.find((c) => c.name === timeColumn);
  if (column === undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `time column ${quoteIdentifier(timeColumn)} is not a column of ${what} (columns: ${columns.map((c) => c.name).join(", ")}); set event_time to a date or timestamp column it has`,
      { timeColumn, columns: columns.map((c) => c.name) },
    );
  }
  const fit = boundsForType(column.dataType);
  if (fit === undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `time column ${quoteIdentifier(timeColumn)} of ${what} has type ${column.dataType}; a partition window can only be compared with a date, timestamp or timestamp with time zone column: cast it in the model or set event_time to another column`,
      { timeColumn, dataType: column.dataType },
    );
  }
  const ref = `${quoteIdentifier(alias)}.${quoteIdentifier(column.name)}`;
  return {
    sql: `${ref} >= $1::${fit.cast} and ${ref} < $2::${fit.cast}`,
    params: fit.bounds(window),
  };
}
