import { AlmanacError } from "@almanac/errors";
import { splitArguments } from "./python-values.js";

/**
 * The part of Python's `datetime` module dbt projects reach through `modules.datetime`:
 * `date`, `datetime` and `timedelta` with `+`/`-`, `strftime`, `strptime`, `isoformat`.
 * Values are naive and computed in UTC, as Python's naive datetimes are wall-clock values.
 * `now()`/`today()` read the clock, as in dbt; templates that want stable SQL use vars.
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

/** Python's `date` (time part always midnight) and `datetime`, as a UTC instant. */
export class PyDateTime {
  constructor(
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
  get hour(): number {
    return this.instant.getUTCHours();
  }
  get minute(): number {
    return this.instant.getUTCMinutes();
  }
  get second(): number {
    return this.instant.getUTCSeconds();
  }

  date(): PyDateTime {
    return new PyDateTime(new Date(Date.UTC(this.year, this.month - 1, this.day)), true);
  }

  /** `replace(year=…, hour=…)`: the same value with some fields changed, as Python's. */
  replace(...args: unknown[]): PyDateTime {
    const { keywords } = splitArguments(args);
    const field = (name: string, current: number) => Number(keywords[name] ?? current);
    return dateTimeOf(
      [
        field("year", this.year),
        field("month", this.month),
        field("day", this.day),
        field("hour", this.hour),
        field("minute", this.minute),
        field("second", this.second),
        field("microsecond", this.instant.getUTCMilliseconds() * 1000),
      ],
      this.dateOnly,
    );
  }

  weekday(): number {
    return (this.instant.getUTCDay() + 6) % 7;
  }

  strftime(format: unknown): string {
    return String(format).replace(/%([YmdHMSfjy%])/g, (_all, code: string) => {
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
          return pad(this.hour);
        case "M":
          return pad(this.minute);
        case "S":
          return pad(this.second);
        case "f":
          return pad(this.instant.getUTCMilliseconds() * 1000, 6);
        case "j":
          return pad(Math.floor((this.instant.getTime() - Date.UTC(this.year, 0, 1)) / 86_400_000) + 1, 3);
        default:
          return "%";
      }
    });
  }

  isoformat(separator: unknown = "T"): string {
    if (this.dateOnly) return this.strftime("%Y-%m-%d");
    const micros = this.instant.getUTCMilliseconds();
    return this.strftime(`%Y-%m-%d${String(separator)}%H:%M:%S${micros === 0 ? "" : ".%f"}`);
  }

  toString(): string {
    return this.isoformat(" ");
  }
}

function dateTimeOf(args: unknown[], dateOnly: boolean): PyDateTime {
  const { positional, keywords } = splitArguments(args);
  const names = ["year", "month", "day", "hour", "minute", "second", "microsecond"];
  const [y, m, d, h = 0, mi = 0, s = 0, us = 0] = names.map((name, i) =>
    Number(positional[i] ?? keywords[name] ?? (i < 3 ? Number.NaN : 0)),
  );
  const instant = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d, h, mi, s, Math.floor(us / 1000)));
  if (Number.isNaN(instant.getTime()) || instant.getUTCDate() !== d) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `invalid date ${positional.join(", ")}`);
  }
  return new PyDateTime(instant, dateOnly);
}

function strptime(text: unknown, format: unknown): PyDateTime {
  const fields: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  const order: string[] = [];
  const pattern = String(format).replace(
    /%([YmdHMS%])|([.*+?^${}()|[\]\\])/g,
    (_all, code: string | undefined, special) => {
      if (code === undefined) return `\\${special as string}`;
      if (code === "%") return "%";
      order.push(code);
      return code === "Y" ? "(\\d{4})" : "(\\d{1,2})";
    },
  );
  const match = new RegExp(`^${pattern}$`).exec(String(text));
  if (match === null) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `time data ${JSON.stringify(text)} does not match format ${JSON.stringify(format)}`,
    );
  }
  order.forEach((code, i) => {
    fields[code] = Number(match[i + 1]);
  });
  return dateTimeOf([fields.Y, fields.m, fields.d, fields.H, fields.M, fields.S], false);
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

/** `date ± timedelta`, `date - date`; undefined when the operands are not datetime values. */
export function dateArithmetic(left: unknown, right: unknown, sign: 1 | -1): unknown {
  if (left instanceof PyDateTime && right instanceof PyTimedelta) {
    return new PyDateTime(new Date(left.instant.getTime() + sign * right.milliseconds), left.dateOnly);
  }
  if (sign === 1 && left instanceof PyTimedelta && right instanceof PyDateTime) return dateArithmetic(right, left, 1);
  if (left instanceof PyTimedelta && right instanceof PyTimedelta) {
    return new PyTimedelta(left.milliseconds + sign * right.milliseconds);
  }
  if (sign === -1 && left instanceof PyDateTime && right instanceof PyDateTime) {
    return new PyTimedelta(left.instant.getTime() - right.instant.getTime());
  }
  return undefined;
}

/** What `modules.datetime` answers. */
export const datetimeModule = Object.freeze({
  datetime: Object.assign((...args: unknown[]) => dateTimeOf(args, false), {
    now: () => new PyDateTime(new Date(), false),
    utcnow: () => new PyDateTime(new Date(), false),
    today: () => new PyDateTime(new Date(), false),
    strptime,
    fromisoformat: (text: unknown) =>
      strptime(
        String(text).replace("T", " ").slice(0, 19),
        String(text).length <= 10 ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S",
      ),
  }),
  date: Object.assign((...args: unknown[]) => dateTimeOf(args, true), {
    today: () => new PyDateTime(new Date(), false).date(),
    fromisoformat: (text: unknown) => strptime(text, "%Y-%m-%d").date(),
  }),
  timedelta,
});
