/**
 * Building a partitions definition from its almanac.yml entry: fill defaults, validate every
 * field once, freeze. Everything downstream trusts a definition built here.
 */
import { DateTime } from "luxon";
import { keyFormat } from "./key-format.js";
import { badDefinition } from "./partition-errors.js";
import { indexOfKey } from "./partition-key.js";
import { timeGrid } from "./time-window.js";
import type { PartitionGranularity, PartitionsDefinition, PartitionsDefinitionConfig } from "./types.js";
import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  formatWallDate,
  formatWallDateTime,
  HOUR_MS,
  isoWeekday,
  wallDay,
  wallFields,
  weekdayName,
} from "./wall-clock.js";
import { zoneClock } from "./zone-clock.js";

/** The granularities `definePartitions` accepts. */
export const PARTITION_GRANULARITIES: readonly PartitionGranularity[] = [
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
];

/** Key format used when a definition names none: `yyyy-MM-dd-HH:mm` for hourly, `yyyy-MM-dd` otherwise (as Dagster). */
export function defaultKeyFormat(type: PartitionGranularity): string {
  return type === "hourly" ? "yyyy-MM-dd-HH:mm" : "yyyy-MM-dd";
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const ACCEPTED_FORMS = "yyyy-MM-dd, an ISO local date-time like 2024-01-01T00:00, or a key";

/** Wall value of a `start`/`end` string: `yyyy-MM-dd`, ISO local date-time, or a key of the format. */
function parseWall(text: string, pattern: string): number | undefined {
  const match = ISO_LOCAL.exec(text);
  if (match) {
    const field = (group: number): number => Number(match[group] ?? 0);
    const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
    const millisecond = Number((match[7] ?? "").padEnd(3, "0"));
    const days = daysFromCivil(year, month, day);
    const date = civilFromDays(days);
    // Reject 2023-02-29 and 2024-13-01 instead of rolling them over to another date.
    if (date.year !== year || date.month !== month || date.day !== day) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    return days * DAY_MS + hour * HOUR_MS + minute * 60_000 + second * 1000 + millisecond;
  }
  const parsed = keyFormat(pattern).parse(text);
  return parsed.ok ? parsed.wall : undefined;
}

/** Why a start wall value is not a window start, or `undefined` when it is one. */
function misalignment(type: PartitionGranularity, wall: number, pattern: string): string | undefined {
  const f = wallFields(wall);
  const midnight = wall % DAY_MS === 0;
  const day = formatWallDate(wall);
  switch (type) {
    case "hourly": {
      if (f.minute === 0 && f.second === 0 && f.millisecond === 0) return undefined;
      const onTheHour = keyFormat(pattern).format(wall - (wall % HOUR_MS), 0);
      return `is not on the hour, where hourly windows start (use ${onTheHour})`;
    }
    case "daily":
      return midnight ? undefined : `is not at midnight, where daily windows start (use ${day})`;
    case "weekly": {
      const weekday = isoWeekday(wallDay(wall));
      if (midnight && weekday === 7) return undefined;
      const before = formatWallDate((wallDay(wall) - (weekday % 7)) * DAY_MS);
      const after = formatWallDate((wallDay(wall) - (weekday % 7) + 7) * DAY_MS);
      return `is a ${weekdayName(weekday)}${midnight ? "" : " not at midnight"}, but weekly windows start on Sunday at midnight (use ${before} or ${after})`;
    }
    case "monthly":
      if (midnight && f.day === 1) return undefined;
      return `is not the 1st of a month at midnight, where monthly windows start (use ${formatWallDate(daysFromCivil(f.year, f.month, 1) * DAY_MS)})`;
    case "yearly":
      if (midnight && f.day === 1 && f.month === 1) return undefined;
      return `is not January 1st at midnight, where yearly windows start (use ${formatWallDate(daysFromCivil(f.year, 1, 1) * DAY_MS)})`;
  }
}

/** The pattern must name every unit of a window start, or luxon fills the gaps from the clock. */
function missingUnits(type: PartitionGranularity, pattern: string): string | undefined {
  const unquoted = pattern.replace(/'[^']*'/g, "");
  const needed: [string, RegExp][] = [
    ["year", /y/],
    ...(type === "yearly" ? [] : ([["month", /[ML]/]] as [string, RegExp][])),
    ...(type === "monthly" || type === "yearly" ? [] : ([["day", /d/]] as [string, RegExp][])),
    ...(type === "hourly" ? ([["hour", /[Hh]/]] as [string, RegExp][]) : []),
  ];
  const missing = needed.filter(([, token]) => !token.test(unquoted)).map(([unit]) => unit);
  return missing.length === 0 ? undefined : missing.join(", ");
}

/**
 * Validates a partitions definition and returns it frozen.
 *
 * Defaults: `timezone` `UTC`, `endOffset` 0, `format` `yyyy-MM-dd-HH:mm` (hourly) or
 * `yyyy-MM-dd`. `start` and `end` are read in the definition's zone as `yyyy-MM-dd`, an ISO
 * local date-time (`2024-01-01T06:00`) or a key; `start` must be a window start: on the hour
 * (hourly), midnight (daily), a Sunday at midnight (weekly, as Dagster's default), the 1st at
 * midnight (monthly), January 1st at midnight (yearly: dbt microbatch's `batch_size='year'`). `end` is exclusive: the last window is the last one starting before it.
 * @throws AlmanacError ALMANAC_BAD_PARTITIONS_DEFINITION naming the field at fault
 */
export function definePartitions(config: PartitionsDefinitionConfig): PartitionsDefinition {
  const name = config?.name;
  if (typeof name !== "string" || name.trim() === "") {
    throw badDefinition(name, "name", "name must be a non-empty string", name);
  }
  const type = config.type;
  if (!PARTITION_GRANULARITIES.includes(type)) {
    throw badDefinition(
      name,
      "type",
      `unknown type ${JSON.stringify(type)} (expected hourly, daily, weekly, monthly or yearly)`,
      type,
    );
  }

  const timezone = config.timezone ?? "UTC";
  try {
    if (typeof timezone !== "string" || timezone === "") throw new RangeError("empty");
    zoneClock(timezone);
  } catch {
    throw badDefinition(
      name,
      "timezone",
      `timezone ${JSON.stringify(timezone)} is not an IANA time zone (e.g. "UTC", "Europe/Berlin")`,
      timezone,
    );
  }
  const clock = zoneClock(timezone);

  const endOffset = config.endOffset ?? 0;
  if (typeof endOffset !== "number" || !Number.isInteger(endOffset)) {
    throw badDefinition(
      name,
      "end_offset",
      `end_offset ${JSON.stringify(endOffset)} must be an integer (0: last ended window, 1: add the open one)`,
      endOffset,
    );
  }

  const format = config.format ?? defaultKeyFormat(type);
  const missing = typeof format === "string" && format.trim() !== "" ? missingUnits(type, format) : "everything";
  if (missing !== undefined) {
    throw badDefinition(
      name,
      "format",
      `format ${JSON.stringify(format)} does not print the ${missing} of a ${type} window (default ${defaultKeyFormat(type)})`,
      format,
    );
  }

  const startText = config.start;
  const startWall = typeof startText === "string" ? parseWall(startText, format) : undefined;
  if (startWall === undefined) {
    throw badDefinition(
      name,
      "start",
      `start ${JSON.stringify(startText)} is not a date (expected ${ACCEPTED_FORMS})`,
      startText,
    );
  }
  const notAligned = misalignment(type, startWall, format);
  if (notAligned !== undefined) throw badDefinition(name, "start", `start ${startText} ${notAligned}`, startText);
  // An hourly start must exist on the clock; a calendar start in a DST gap begins when clocks jump.
  const startInstant =
    type === "hourly" ? clock.instantsOfWall(startWall)[0] : clock.firstInstantAtOrAfterWall(startWall);
  if (startInstant === undefined) {
    throw badDefinition(
      name,
      "start",
      `start ${startText} does not exist in ${timezone} (clocks skip it when they spring forward)`,
      startText,
    );
  }

  let endInstant: number | undefined;
  if (config.end !== undefined && config.end !== null) {
    const endWall = typeof config.end === "string" ? parseWall(config.end, format) : undefined;
    if (endWall === undefined) {
      throw badDefinition(
        name,
        "end",
        `end ${JSON.stringify(config.end)} is not a date (expected ${ACCEPTED_FORMS})`,
        config.end,
      );
    }
    endInstant = clock.firstInstantAtOrAfterWall(endWall);
    if (endInstant <= startInstant) {
      throw badDefinition(
        name,
        "end",
        `end ${config.end} must be after start ${startText} (end is exclusive)`,
        config.end,
      );
    }
  }

  const definition: PartitionsDefinition = Object.freeze({
    name,
    type,
    timezone,
    endOffset,
    format,
    start: DateTime.fromMillis(startInstant, { zone: timezone }),
    end: endInstant === undefined ? undefined : DateTime.fromMillis(endInstant, { zone: timezone }),
  });
  checkFormatRoundTrips(definition);
  return definition;
}

/** Keys must read back as their own window, or two windows would share a store row. */
function checkFormatRoundTrips(def: PartitionsDefinition): void {
  const grid = timeGrid(def);
  for (let index = 0; index < 3; index++) {
    const key = grid.keyOf(index);
    let readBack: number | undefined;
    try {
      readBack = indexOfKey(grid, key);
    } catch {
      readBack = undefined;
    }
    if (readBack !== index) {
      const windowStart = formatWallDateTime(grid.clock.wallAt(grid.startOf(index)));
      throw badDefinition(
        def.name,
        "format",
        `format ${JSON.stringify(def.format)} does not round-trip: the window starting ${windowStart} prints ${JSON.stringify(key)}, which does not read back as that window`,
        def.format,
      );
    }
  }
}
