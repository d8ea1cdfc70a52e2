import { AlmanacError } from "@almanac/errors";
import { splitArguments } from "./python-values.js";

/**
 * Python's `timedelta`, `date` and naive `datetime` values, as dbt templates reach them through
 * `modules.datetime`. A value keeps its wall clock as a UTC `Date` (field getters read it in
 * UTC, so no machine time zone leaks in); the aware kind (aware-datetime.ts) adds a tzinfo.
 * Precision is the millisecond: Python's microseconds below that are dropped.
 */

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** Python's `timedelta`, kept as whole milliseconds. */
export class PyTimedelta {
  constructor(readonly milliseconds: number) {}

  get days(): number {
    return Math.floor(this.milliseconds / 86_400_000);
  }

  get seconds(): number {
    return Math.floor((this.milliseconds - this.days * 86_400_000) / 1000);
  }

  total_seconds(): number {
    return this.milliseconds / 1000;
  }

  toString(): string {
    const days = this.days;
    const rest = this.milliseconds - days * 86_400_000;
    const clock = `${Math.floor(rest / 3_600_000)}:${pad(Math.floor(rest / 60_000) % 60)}:${pad(Math.floor(rest / 1000) % 60)}`;
    return days === 0 ? clock : `${days} day${Math.abs(days) === 1 ? "" : "s"}, ${clock}`;
  }
}

/**
 * A Python `tzinfo` as this layer needs one: the fixed offset it carries (pytz attaches one
 * fixed-offset instance per zone offset), how `datetime(…, tzinfo=tz)` attaches it to a wall
 * clock, and how `astimezone(tz)` turns a UTC instant into that zone's wall clock.
 */
export interface PyTzInfo {
  /** Seconds east of UTC that a datetime carrying this tzinfo is offset by. */
  readonly offsetSeconds: number;
  /** What `%Z` prints. */
  tzname(): string;
  /** `datetime(…, tzinfo=tz)` / `replace(tzinfo=tz)`: the same wall clock, made aware. */
  attach(naive: PyDateTime): PyDateTime;
  /** `astimezone(tz)`: the instant `utcMillis` as this zone's wall clock. */
  fromutc(utcMillis: number): PyDateTime;
}

/** True for the tzinfo values of modules.datetime and modules.pytz. */
export function isTzInfo(value: unknown): value is PyTzInfo {
  return typeof value === "object" && value !== null && typeof (value as PyTzInfo).attach === "function";
}

/** Python's `date` (time part always midnight) and naive `datetime`, as a wall clock. */
export class PyDateTime {
  constructor(
    /** The wall clock, read in UTC. */
    readonly instant: Date,
    readonly dateOnly: boolean,
  ) {}

  get year(): number {
    return this.instant.getUTCFullYear();
  }
  get month(): number {
    return this.instant.getUTCMonth() + 1;
  }
  get day(): number {
    return this.instant.getUTCDate();
  }
  // A `date` has no time attributes in Python: `value.hour is defined` is how packages
  // (dbt_date's to_compile_datetime) tell a datetime from a date.
  get hour(): number | undefined {
    return this.dateOnly ? undefined : this.instant.getUTCHours();
  }
  get minute(): number | undefined {
    return this.dateOnly ? undefined : this.instant.getUTCMinutes();
  }
  get second(): number | undefined {
    return this.dateOnly ? undefined : this.instant.getUTCSeconds();
  }
  get microsecond(): number | undefined {
    return this.dateOnly ? undefined : this.instant.getUTCMilliseconds() * 1000;
  }
  /** None for a naive datetime; a `date` has no such attribute. */
  get tzinfo(): PyTzInfo | null | undefined {
    return this.dateOnly ? undefined : null;
  }

  /** Milliseconds since the epoch used to order and subtract values: naive ones by wall clock. */
  get comparableMillis(): number {
    return this.instant.getTime();
  }

  /** `value + timedelta`: Python keeps the tzinfo and moves the wall clock. */
  shifted(milliseconds: number): PyDateTime {
    return new PyDateTime(new Date(this.instant.getTime() + milliseconds), this.dateOnly);
  }

  date(): PyDateTime {
    return new PyDateTime(new Date(Date.UTC(this.year, this.month - 1, this.day)), true);
  }

  utcoffset(): PyTimedelta | null {
    return null;
  }

  /**
   * POSIX seconds. Python reads a naive datetime in the machine's zone; Almanac reads it as UTC,
   * which is what dbt gives on the UTC machines it usually runs on.
   */
  timestamp(): number {
    return this.comparableMillis / 1000;
  }

  /**
   * `astimezone(tz)`; a naive value is read as UTC (see `timestamp`). Without `tz` Python
   * converts to the machine's zone, which a template cannot rely on: that call is refused.
   */
  astimezone(tz?: unknown): PyDateTime {
    if (!isTzInfo(tz)) {
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `astimezone() needs a zone such as modules.pytz.utc or modules.pytz.timezone('UTC'), not ${String(tz ?? "nothing")}`,
      );
    }
    return tz.fromutc(this.timestamp() * 1000);
  }

  /** `replace(year=…, hour=…, tzinfo=…)`: the same value with some fields changed, as Python's. */
  replace(...args: unknown[]): PyDateTime {
    const { keywords } = splitArguments(args);
    const field = (name: string, current: number | undefined) => Number(keywords[name] ?? current ?? 0);
    const naive = naiveDateTime(
      [
        field("year", this.year),
        field("month", this.month),
        field("day", this.day),
        field("hour", this.hour),
        field("minute", this.minute),
        field("second", this.second),
        field("microsecond", this.microsecond),
      ],
      this.dateOnly,
    );
    const tz = Object.hasOwn(keywords, "tzinfo") ? keywords.tzinfo : this.tzinfo;
    return this.dateOnly || tz === null || tz === undefined ? naive : attachTzinfo(naive, tz);
  }

  weekday(): number {
    return (this.instant.getUTCDay() + 6) % 7;
  }

  /** `%z` and `%Z`: empty for a naive value, as in Python. */
  protected offsetText(_separator: string): string {
    return "";
  }
  protected zoneName(): string {
    return "";
  }

  strftime(format: unknown): string {
    const d = this.instant;
    return String(format).replace(/%([YmdHMSfjyzZ%])/g, (_all, code: string) => {
      switch (code) {
        case "Y":
          return pad(this.year, 4);
        case "y":
          return pad(this.year % 100);
        case "m":
          return pad(this.month);
        case "d":
          return pad(this.day);
        case "H":
          return pad(d.getUTCHours());
        case "M":
          return pad(d.getUTCMinutes());
        case "S":
          return pad(d.getUTCSeconds());
        case "f":
          return pad(d.getUTCMilliseconds() * 1000, 6);
        case "j":
          return pad(Math.floor((d.getTime() - Date.UTC(this.year, 0, 1)) / 86_400_000) + 1, 3);
        case "z":
          return this.offsetText("");
        case "Z":
          return this.zoneName();
        default:
          return "%";
      }
    });
  }

  isoformat(separator: unknown = "T"): string {
    if (this.dateOnly) return this.strftime("%Y-%m-%d");
    const millis = this.instant.getUTCMilliseconds();
    return this.strftime(`%Y-%m-%d${String(separator)}%H:%M:%S${millis === 0 ? "" : ".%f"}`);
  }

  toString(): string {
    return this.isoformat(" ");
  }
}

/** `datetime(…, tzinfo=tz)`: refuses anything that is not a tzinfo, as Python does. */
export function attachTzinfo(naive: PyDateTime, tz: unknown): PyDateTime {
  if (!isTzInfo(tz)) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `tzinfo argument must be None or a tzinfo such as modules.pytz.timezone('UTC'), not ${String(tz)}`,
    );
  }
  return tz.attach(naive);
}

/** The naive `date`/`datetime` of Python positional or keyword fields; invalid dates are errors. */
export function naiveDateTime(args: readonly unknown[], dateOnly: boolean): PyDateTime {
  const { positional, keywords } = splitArguments(args);
  const names = ["year", "month", "day", "hour", "minute", "second", "microsecond"];
  const [y, m, d, h = 0, mi = 0, s = 0, us = 0] = names.map((name, i) =>
    Number(positional[i] ?? keywords[name] ?? (i < 3 ? Number.NaN : 0)),
  );
  const instant = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d, h, mi, s, Math.floor(us / 1000)));
  // Date.UTC maps years 0-99 to 1900-1999; Python's years are what they say.
  if (y !== undefined && y >= 0 && y < 100) instant.setUTCFullYear(y);
  if (Number.isNaN(instant.getTime()) || instant.getUTCDate() !== d || instant.getUTCMonth() + 1 !== m) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `invalid date ${positional.join(", ")}`);
  }
  return new PyDateTime(instant, dateOnly);
}
