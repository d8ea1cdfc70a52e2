import type { DateTime } from "luxon";

/** How wide one partition's window is. */
export type PartitionGranularity = "hourly" | "daily" | "weekly" | "monthly" | "yearly";

/** A partitions definition as written in almanac.yml (already parsed from YAML). */
export interface PartitionsDefinitionConfig {
  /** The definition's name, e.g. `daily`. */
  name: string;
  type: PartitionGranularity;
  /** First window's start, in `timezone` local time, e.g. `2024-01-01` (or a key of this definition). */
  start: string;
  /** Exclusive end: no window starts at or after it. Default: open-ended. */
  end?: string;
  /** IANA zone the windows are cut in. Default `UTC`. */
  timezone?: string;
  /** 0: the last partition is the last window that has ended; 1 adds the open one; -1 drops one. Default 0. */
  endOffset?: number;
  /** Luxon format of keys. Defaults: hourly `yyyy-MM-dd-HH:mm`, daily/weekly/monthly `yyyy-MM-dd`. */
  format?: string;
}

/** A validated, frozen partitions definition. Build with `definePartitions`. */
export interface PartitionsDefinition {
  readonly name: string;
  readonly type: PartitionGranularity;
  readonly timezone: string;
  readonly endOffset: number;
  readonly format: string;
  /** First window start, in `timezone`. */
  readonly start: DateTime;
  /** Exclusive end, in `timezone`, if any. */
  readonly end: DateTime | undefined;
}

/** One partition: its key and its half-open window `[start, end)` in the definition's zone. */
export interface PartitionWindow {
  readonly key: string;
  readonly start: DateTime;
  readonly end: DateTime;
}

/**
 * The bounds of a run over keys K1..Kn: from K1's window start to Kn's window end (exclusive),
 * in every form a model or the warehouse needs to compare against.
 */
export interface WindowBounds {
  /** Local date of the start, `yyyy-MM-dd` (for hourly: `yyyy-MM-dd HH:mm:ss`). */
  readonly startDate: string;
  /** Local date of the exclusive end, same format as `startDate`. */
  readonly endDate: string;
  /** Start as ISO-8601 with offset, e.g. `2024-03-31T00:00:00.000+01:00`. */
  readonly startTs: string;
  /** Exclusive end as ISO-8601 with offset. */
  readonly endTs: string;
  /** Start as local wall-clock time without offset, `yyyy-MM-dd'T'HH:mm:ss` (for `timestamp without time zone`). */
  readonly startLocal: string;
  /** Exclusive end as local wall-clock time without offset. */
  readonly endLocal: string;
  readonly timezone: string;
}

/** The template variables a run exposes to models through `var(...)`. */
export interface WindowVars {
  readonly min_date: string;
  readonly max_date: string;
  readonly min_ts: string;
  readonly max_ts: string;
  readonly [name: string]: string;
}
