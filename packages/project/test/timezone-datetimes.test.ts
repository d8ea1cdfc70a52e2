import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TemplateEnvironment } from "../src/template-environment.js";
import { renderScope } from "./fixtures.js";

// Time-zone-aware datetimes through modules.datetime and modules.pytz. Every expected string is
// what Python 3.11 with pytz 2024+ prints for the same expression (dbt renders `{{ x }}` as
// str(x)), worked out from Python's and pytz's documented rules:
// - str(aware) is isoformat(' '): the wall clock, then the offset as ±HH:MM;
// - pytz.timezone(name) passed as tzinfo= carries the zone's first offset, local mean time
//   rounded to the minute by pytz (Los Angeles -7:52:58 → -07:53, Tokyo +9:18:59 → +09:19);
// - tz.localize(naive) picks the offset in force (is_dst=False: the standard one when the wall
//   clock repeats, the pre-change one when it was skipped);
// - aware + timedelta keeps the offset; tz.normalize() re-reads the zone;
// - aware values compare and subtract by instant; naive and aware values never compare equal.

const scope = renderScope("models/m.sql", "m");

const environment = new TemplateEnvironment([]);
// Short names for the modules, as dbt projects often `set` them.
const prelude =
  "{% set dt = modules.datetime %}{% set la = modules.pytz.timezone('America/Los_Angeles') %}{% set utc = modules.pytz.utc %}";
const render = (template: string) => environment.render(environment.compile("models/m.sql", prelude + template), scope);

const cases: Record<string, [template: string, expected: string][]> = {
  "pytz zones and localize": [
    // The pytz pitfall, reproduced: tzinfo= gives local mean time, localize the offset in force.
    ["{{ dt.datetime(1997, 9, 29, 6, 14, 0, tzinfo=la) }}", "1997-09-29 06:14:00-07:53"],
    ["{{ la.localize(dt.datetime(1997, 9, 29, 6, 14)) }}", "1997-09-29 06:14:00-07:00"],
    ["{{ la.localize(dt.datetime(1997, 12, 29, 6, 14)) }}", "1997-12-29 06:14:00-08:00"],
    ["{{ dt.datetime(2026, 9, 1, tzinfo=modules.pytz.timezone('Asia/Tokyo')) }}", "2026-09-01 00:00:00+09:19"],
    [
      "{{ dt.datetime(2026, 9, 1, tzinfo=utc) }} {{ utc }} {{ modules.pytz.UTC }} {{ la }}",
      "2026-09-01 00:00:00+00:00 UTC UTC America/Los_Angeles",
    ],
    // pytz looks names up case-insensitively and prints the database's spelling.
    ["{{ modules.pytz.timezone('asia/tokyo') }} {{ modules.pytz.timezone('utc') }}", "Asia/Tokyo UTC"],
    // 01:30 happens twice on 2026-11-01 in Los Angeles: is_dst=False takes standard time.
    ["{{ la.localize(dt.datetime(2026, 11, 1, 1, 30)) }}", "2026-11-01 01:30:00-08:00"],
    // 02:30 never happens on 2026-03-08: pytz keeps the offset from before the change.
    ["{{ la.localize(dt.datetime(2026, 3, 8, 2, 30)) }}", "2026-03-08 02:30:00-08:00"],
    ["{{ (la.localize(dt.datetime(2026, 3, 1, 12)) + dt.timedelta(days=30)) }}", "2026-03-31 12:00:00-08:00"],
    [
      "{{ la.normalize(la.localize(dt.datetime(2026, 3, 1, 12)) + dt.timedelta(days=30)) }}",
      "2026-03-31 13:00:00-07:00",
    ],
    [
      "{{ la.localize(dt.datetime(2026, 9, 1)).tzinfo }} {{ la.localize(dt.datetime(2026, 9, 1)).tzinfo.zone }}",
      "America/Los_Angeles America/Los_Angeles",
    ],
  ],
  "printing and attributes": [
    ["{{ la.localize(dt.datetime(1997, 9, 29, 6, 14)).isoformat() }}", "1997-09-29T06:14:00-07:00"],
    ["{{ dt.datetime(1997, 9, 29, 6, 14, tzinfo=la).strftime('%Y-%m-%d %H:%M %z') }}", "1997-09-29 06:14 -0753"],
    ["{{ dt.datetime(1997, 9, 29, 6, 14).strftime('[%z][%Z]') }}", "[][]"],
    ["{{ dt.datetime(2026, 1, 1, tzinfo=utc).strftime('%Z') }}", "UTC"],
    ["{{ la.localize(dt.datetime(2026, 9, 1)).utcoffset() }}", "-1 day, 17:00:00"],
    [
      "{{ dt.datetime(2026, 9, 1).tzinfo is none }} {{ utc.localize(dt.datetime(2026, 9, 1)).tzinfo is none }}",
      "True False",
    ],
    // A date has no time attributes: dbt_date tells dates from datetimes by `.hour is defined`.
    ["{{ dt.date(2026, 9, 1).hour is defined }} {{ dt.datetime(2026, 9, 1).hour is defined }}", "False True"],
    [
      "{{ run_started_at.tzinfo }} {{ run_started_at.strftime('%z') }} {{ run_started_at.tzinfo is none }}",
      "UTC +0000 False",
    ],
    // Python prints timestamp() as a float (875538840.0); compared, not printed, it is the same.
    ["{{ la.localize(dt.datetime(1997, 9, 29, 6, 14)).timestamp() == 875538840 }}", "True"],
    ["{{ dt.datetime(1997, 9, 29, 13, 14).timestamp() == 875538840 }}", "True"],
  ],
  conversions: [
    [
      "{{ utc.localize(dt.datetime(2026, 9, 1, 7)).astimezone(modules.pytz.timezone('Asia/Tokyo')) }}",
      "2026-09-01 16:00:00+09:00",
    ],
    ["{{ utc.localize(dt.datetime(2026, 9, 1, 7)).astimezone(la) }}", "2026-09-01 00:00:00-07:00"],
    [
      "{{ dt.datetime(2026, 9, 1).replace(tzinfo=utc) }} {{ utc.localize(dt.datetime(2026, 9, 1)).replace(tzinfo=none) }}",
      "2026-09-01 00:00:00+00:00 2026-09-01 00:00:00",
    ],
    ["{{ utc.localize(dt.datetime(2026, 9, 1)).replace(hour=5) }}", "2026-09-01 05:00:00+00:00"],
    [
      "{{ dt.datetime.fromisoformat('2026-08-15T12:00:00+00:00') }} {{ dt.datetime.fromisoformat('2026-08-15T12:00:00+00:00').tzinfo }}",
      "2026-08-15 12:00:00+00:00 UTC",
    ],
    [
      "{{ dt.datetime.fromisoformat('2026-08-15 12:00:00-07:00') }} {{ dt.datetime.fromisoformat('2026-08-15T12:00-07:00').tzinfo }}",
      "2026-08-15 12:00:00-07:00 UTC-07:00",
    ],
    [
      "{{ dt.datetime.fromisoformat('2026-08-15T12:00:00.5Z') }} {{ dt.datetime.fromisoformat('2026-08-15') }}",
      "2026-08-15 12:00:00.500000+00:00 2026-08-15 00:00:00",
    ],
    ["{{ dt.datetime.strptime('2026-08-15 12:00:00 +0200', '%Y-%m-%d %H:%M:%S %z') }}", "2026-08-15 12:00:00+02:00"],
    [
      "{{ dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))) }} {{ dt.timezone.utc }}",
      "2026-01-01 00:00:00+05:30 UTC",
    ],
  ],
  "comparisons and arithmetic": [
    [
      "{{ dt.datetime.fromisoformat('2026-09-01T00:00:00+00:00') == dt.datetime.fromisoformat('2026-08-31T17:00:00-07:00') }}",
      "True",
    ],
    [
      "{{ dt.datetime.fromisoformat('2026-09-01T00:00:00+09:00') < dt.datetime.fromisoformat('2026-08-31T16:00:00+00:00') }}",
      "True",
    ],
    ["{{ dt.datetime(2026, 9, 1) == utc.localize(dt.datetime(2026, 9, 1)) }}", "False"],
    [
      "{{ dt.datetime(2026, 9, 1) < dt.datetime(2026, 9, 2) }} {{ dt.date(2026, 9, 1) >= dt.date(2026, 9, 2) }}",
      "True False",
    ],
    ["{{ la.localize(dt.datetime(2026, 9, 1)) - utc.localize(dt.datetime(2026, 9, 1)) }}", "7:00:00"],
  ],
};

describe("modules.pytz and aware datetimes render as Python prints them", () => {
  for (const [feature, rows] of Object.entries(cases)) {
    it(feature, () => {
      for (const [template, expected] of rows) assert.equal(render(template), expected, template);
    });
  }
});

const refused: [template: string, message: RegExp][] = [
  [
    "{{ modules.pytz.timezone('Mars/Olympus_Mons') }}",
    /^models\/m\.sql:1: .*UnknownTimeZoneError: "Mars\/Olympus_Mons"/,
  ],
  ["{{ modules.pytz.timezone('+05:00') }}", /UnknownTimeZoneError/],
  ["{{ la.localize(utc.localize(dt.datetime(2026, 9, 1))) }}", /^models\/m\.sql:1: .*Not naive datetime/],
  [
    "{{ dt.datetime(2026, 9, 1) < utc.localize(dt.datetime(2026, 9, 1)) }}",
    /can't compare offset-naive and offset-aware datetimes/,
  ],
  [
    "{{ dt.datetime(2026, 9, 1) - utc.localize(dt.datetime(2026, 9, 1)) }}",
    /can't subtract offset-naive and offset-aware datetimes/,
  ],
  ["{{ dt.date(2026, 9, 1) < dt.datetime(2026, 9, 1) }}", /can't compare datetime.datetime to datetime.date/],
  ["{{ dt.datetime(2026, 9, 1, tzinfo='UTC') }}", /tzinfo argument must be None or a tzinfo/],
  ["{{ dt.datetime(2026, 9, 1).astimezone() }}", /astimezone\(\) needs a zone/],
  [
    "{{ la.localize(dt.datetime(2026, 9, 1)).strftime('%Z') }}",
    /%Z \/ tzname\(\) of America\/Los_Angeles is not supported/,
  ],
  [
    "{{ dt.datetime.fromisoformat('2026-08-15T12') }}x{{ dt.datetime.fromisoformat('15/08/2026') }}",
    /Invalid isoformat string: "15\/08\/2026"/,
  ],
];

describe("what Python refuses, or Almanac cannot give as Python does, fails at file:line", () => {
  for (const [template, message] of refused) {
    it(template, () => {
      assert.throws(
        () => render(template),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "ALMANAC_TEMPLATE_ERROR");
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
