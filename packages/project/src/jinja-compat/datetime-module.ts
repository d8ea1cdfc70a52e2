import { AlmanacError } from "@almanac/errors";
import { PyAwareDateTime } from "./aware-datetime.js";
import { attachTzinfo, naiveDateTime, PyDateTime, PyTimedelta } from "./datetime-values.js";
import { splitArguments } from "./python-values.js";
import { FixedOffsetTimezone, fixedOffsetTimezone, utcTimezone } from "./tz-info.js";

/**
 * The part of Python's `datetime` module dbt projects reach through `modules.datetime`:
 * `date`, `datetime` (naive, or aware with `tzinfo=`), `timedelta`, `timezone`, with `+`/`-`,
 * comparisons, `strftime`, `strptime`, `fromisoformat`, `isoformat`. The values live in
 * datetime-values.ts and aware-datetime.ts, the tzinfos in tz-info.ts and pytz-module.ts.
 * `now()`/`today()` read the clock, as in dbt; templates that want stable SQL use vars.
 */

export { PyAwareDateTime, PyDateTime, PyTimedelta };

/** `datetime(year, month, day, hour, minute, second, microsecond, tzinfo)`. */
function datetime(...args: unknown[]): PyDateTime {
  const { positional, keywords } = splitArguments(args);
  const naive = naiveDateTime(args, false);
  const tz = positional[7] ?? keywords.tzinfo;
  return tz === null || tz === undefined ? naive : attachTzinfo(naive, tz);
}

// Python's `±HH[:MM[:SS]]` (and `Z`) as fromisoformat (3.11) and strptime's %z read them.
const OFFSET = "Z|z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2}(?:\\.\\d{1,6})?)?)?";

function offsetOf(text: string): FixedOffsetTimezone {
  if (/^z$/i.test(text)) return utcTimezone;
  const [, sign, h = "0", m = "0", s = "0"] = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?/.exec(text) ?? [];
  const seconds = (sign === "-" ? -1 : 1) * (Number(h) * 3600 + Number(m) * 60 + Number(s));
  return seconds === 0 ? utcTimezone : new FixedOffsetTimezone(seconds);
}

function strptime(text: unknown, format: unknown): PyDateTime {
  const fields: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0 };
  const order: string[] = [];
  const pattern = String(format).replace(
    /%([YmdHMSfz%])|([.*+?^${}()|[\]\\])/g,
    (_all, code: string | undefined, special) => {
      if (code === undefined) return `\\${special as string}`;
      if (code === "%") return "%";
      order.push(code);
      if (code === "z") return `(${OFFSET})`;
      return code === "Y" ? "(\\d{4})" : code === "f" ? "(\\d{1,6})" : "(\\d{1,2})";
    },
  );
  const match = new RegExp(`^${pattern}$`).exec(String(text));
  if (match === null) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `time data ${JSON.stringify(text)} does not match format ${JSON.stringify(format)}`,
    );
  }
  let zone: FixedOffsetTimezone | undefined;
  order.forEach((code, i) => {
    const value = match[i + 1] ?? "";
    if (code === "z") zone = offsetOf(value);
    else fields[code] = code === "f" ? Number(value.padEnd(6, "0")) : Number(value);
  });
  const naive = naiveDateTime([fields.Y, fields.m, fields.d, fields.H, fields.M, fields.S, fields.f], false);
  return zone === undefined ? naive : zone.attach(naive);
}

const ISO = new RegExp(
  `^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2})(?::(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,6}))?)?)?(${OFFSET})?)?$`,
);

/** `datetime.fromisoformat(text)`: Python 3.11's forms, offsets (`+00:00`, `Z`) included. */
function fromisoformat(text: unknown): PyDateTime {
  const match = ISO.exec(String(text));
  if (match === null) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `Invalid isoformat string: ${JSON.stringify(String(text))}`);
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "0", offset] = match;
  const naive = naiveDateTime([y, mo, d, h, mi, s, fraction.padEnd(6, "0")].map(Number), false);
  return offset === undefined ? naive : offsetOf(offset).attach(naive);
}

const timedelta = (...args: unknown[]) => {
  const { positional, keywords } = splitArguments(args);
  const [days = 0, seconds = 0, microseconds = 0, milliseconds = 0, minutes = 0, hours = 0, weeks = 0] = [
    "days",
    "seconds",
    "microseconds",
    "milliseconds",
    "minutes",
    "hours",
    "weeks",
  ].map((name, i) => Number(positional[i] ?? keywords[name] ?? 0));
  return new PyTimedelta(
    Math.round(
      ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + milliseconds + microseconds / 1000,
    ),
  );
};

/** Python refuses to mix naive and aware values, and dates with datetimes, in `<` and `-`. */
function mixedKinds(left: PyDateTime, right: PyDateTime): string | undefined {
  if (left.dateOnly !== right.dateOnly) return "can't compare datetime.datetime to datetime.date";
  if ((left.tzinfo === null) !== (right.tzinfo === null)) return "offset-naive and offset-aware datetimes";
  return undefined;
}

/** `date ± timedelta`, `date - date`; undefined when the operands are not datetime values. */
export function dateArithmetic(left: unknown, right: unknown, sign: 1 | -1): unknown {
  if (left instanceof PyDateTime && right instanceof PyTimedelta) return left.shifted(sign * right.milliseconds);
  if (sign === 1 && left instanceof PyTimedelta && right instanceof PyDateTime) return dateArithmetic(right, left, 1);
  if (left instanceof PyTimedelta && right instanceof PyTimedelta) {
    return new PyTimedelta(left.milliseconds + sign * right.milliseconds);
  }
  if (sign === -1 && left instanceof PyDateTime && right instanceof PyDateTime) {
    const mixed = mixedKinds(left, right);
    if (mixed !== undefined) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `can't subtract ${mixed}`);
    return new PyTimedelta(left.comparableMillis - right.comparableMillis);
  }
  return undefined;
}

/** The two instants `<`/`>` compare, or undefined when the operands are not both datetime values. */
export function dateOrdering(left: unknown, right: unknown): [number, number] | undefined {
  if (!(left instanceof PyDateTime && right instanceof PyDateTime)) return undefined;
  const mixed = mixedKinds(left, right);
  if (mixed !== undefined) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", mixed.startsWith("can't") ? mixed : `can't compare ${mixed}`);
  }
  return [left.comparableMillis, right.comparableMillis];
}

/** Python `==` of datetime values: aware ones by instant; mixed kinds are never equal. */
export function dateEquals(left: PyDateTime, right: PyDateTime): boolean {
  return mixedKinds(left, right) === undefined && left.comparableMillis === right.comparableMillis;
}

const now = (tz?: unknown) => {
  const utcNow = new PyAwareDateTime(new Date(), utcTimezone);
  return tz === undefined || tz === null ? new PyDateTime(utcNow.instant, false) : utcNow.astimezone(tz);
};

/** What `modules.datetime` answers. */
export const datetimeModule = Object.freeze({
  datetime: Object.assign(datetime, {
    now,
    utcnow: () => now(),
    today: () => now(),
    strptime,
    fromisoformat,
  }),
  date: Object.assign((...args: unknown[]) => naiveDateTime(args, true), {
    today: () => now().date(),
    fromisoformat: (text: unknown) => strptime(text, "%Y-%m-%d").date(),
  }),
  timedelta,
  timezone: Object.assign(fixedOffsetTimezone, { utc: utcTimezone }),
});
