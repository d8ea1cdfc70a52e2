import { AlmanacError } from "@almanac/errors";
import type { IANAZone } from "luxon";
import { PyAwareDateTime } from "./aware-datetime.js";
import { PyDateTime, PyTimedelta, type PyTzInfo } from "./datetime-values.js";
import { splitArguments } from "./python-values.js";
import { earliestOffset, localizeOffset, offsetAt } from "./zone-offsets.js";

/**
 * The two kinds of tzinfo dbt templates meet: Python's `datetime.timezone` (a fixed offset,
 * what `fromisoformat('…+02:00')` attaches) and pytz's zones (`modules.pytz.timezone(name)`).
 */

/** Python's `datetime.timezone(offset[, name])`; prints `UTC`, `UTC+02:00` or its name. */
export class FixedOffsetTimezone implements PyTzInfo {
  constructor(
    readonly offsetSeconds: number,
    readonly name?: string,
  ) {}

  tzname(): string {
    if (this.name !== undefined) return this.name;
    if (this.offsetSeconds === 0) return "UTC";
    return `UTC${new PyAwareDateTime(new Date(0), this).strftime("%z").replace(/^([+-]\d\d)(\d\d)/, "$1:$2")}`;
  }

  utcoffset(): PyTimedelta {
    return new PyTimedelta(this.offsetSeconds * 1000);
  }

  attach(naive: PyDateTime): PyAwareDateTime {
    return new PyAwareDateTime(naive.instant, this);
  }

  fromutc(utcMillis: number): PyAwareDateTime {
    return new PyAwareDateTime(new Date(utcMillis + this.offsetSeconds * 1000), this);
  }

  toString(): string {
    return this.tzname();
  }
}

/** `datetime.timezone.utc`. */
export const utcTimezone = new FixedOffsetTimezone(0);

/** `datetime.timezone(timedelta(hours=2))`, as a template calls it. */
export function fixedOffsetTimezone(...args: unknown[]): FixedOffsetTimezone {
  const { positional, keywords } = splitArguments(args);
  const offset = positional[0] ?? keywords.offset;
  const name = positional[1] ?? keywords.name;
  if (!(offset instanceof PyTimedelta) || Math.abs(offset.milliseconds) >= 86_400_000) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      "timezone() takes a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)",
    );
  }
  return new FixedOffsetTimezone(Math.round(offset.milliseconds / 1000), name === undefined ? undefined : String(name));
}

/**
 * A pytz zone at one of its offsets. `pytz.timezone(name)` gives the zone at its earliest offset
 * (local mean time), which is what `datetime(…, tzinfo=tz)` attaches in Python, hence pytz's
 * rule to build aware values with `tz.localize(naive)`; `localize`, `normalize` and
 * `astimezone` give the zone at the offset in force.
 */
export class PytzTimezone implements PyTzInfo {
  readonly #zone: IANAZone;

  constructor(
    /** The name as pytz prints it (`str(tz)`, `tz.zone`). */
    readonly zone: string,
    ianaZone: IANAZone,
    readonly offsetSeconds: number = earliestOffset(ianaZone),
  ) {
    this.#zone = ianaZone;
  }

  /**
   * pytz names its offsets LMT, PST, JST…; ICU has no such names for most zones, so `%Z`
   * is answered for UTC only and refused elsewhere rather than guessed.
   */
  tzname(): string {
    if (this.zone.toUpperCase() === "UTC") return "UTC";
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `%Z / tzname() of ${this.zone} is not supported: print the offset with %z instead`,
    );
  }

  #at(offsetSeconds: number): PytzTimezone {
    return offsetSeconds === this.offsetSeconds ? this : new PytzTimezone(this.zone, this.#zone, offsetSeconds);
  }

  attach(naive: PyDateTime): PyAwareDateTime {
    return new PyAwareDateTime(naive.instant, this);
  }

  fromutc(utcMillis: number): PyAwareDateTime {
    const offset = offsetAt(this.#zone, utcMillis);
    return new PyAwareDateTime(new Date(utcMillis + offset * 1000), this.#at(offset));
  }

  /** `tz.localize(naive)`: the wall clock in this zone, at the offset in force then. */
  localize(naive: unknown): PyAwareDateTime {
    if (!(naive instanceof PyDateTime) || naive.dateOnly) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `localize() takes a naive datetime, not ${String(naive)}`);
    }
    if (naive.tzinfo !== null) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `Not naive datetime (tzinfo is already set): ${naive}`);
    }
    const offset = localizeOffset(this.#zone, naive.instant.getTime());
    return new PyAwareDateTime(naive.instant, this.#at(offset));
  }

  /** `tz.normalize(aware)`: after arithmetic, the same instant at the offset in force. */
  normalize(aware: unknown): PyAwareDateTime {
    if (!(aware instanceof PyAwareDateTime)) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `normalize() takes an aware datetime, not ${String(aware)}`);
    }
    return this.fromutc(aware.comparableMillis);
  }

  toString(): string {
    return this.zone;
  }
}
