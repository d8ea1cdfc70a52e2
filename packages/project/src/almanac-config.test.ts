import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAlmanacConfig } from "./almanac-config.js";
import { YamlFile } from "./yaml-file.js";

function parse(text: string) {
  return parseAlmanacConfig(YamlFile.parse("almanac.yml", text));
}

const daily = "partitions:\n  daily: {type: daily, start: 2024-01-01}\n";

describe("parseAlmanacConfig", () => {
  it("maps snake_case keys and defaults", () => {
    const config = parse(`partitions:
  daily: {type: daily, start: 2024-01-01, timezone: Europe/Berlin, end_offset: 1}
assets:
  - {select: "tag:daily", partitions: daily}
  - {select: "x", partitions: daily, backfill_policy: {type: single_run}}
  - {select: "y", partitions: daily, backfill_policy: {type: multi_run}}
  - {select: "z", partitions: daily, backfill_policy: {type: multi_run, max_partitions_per_run: 7}}
schedules:
  - {name: nightly, select: "tag:daily", partitions: daily, cron: "0 3 * * *"}
  - {name: utc, select: "tag:daily", partitions: daily, cron: "0 3 * * *", timezone: UTC}
`);
    const definition = config.partitions.get("daily");
    assert.equal(definition?.timezone, "Europe/Berlin");
    assert.equal(definition?.endOffset, 1);
    assert.deepEqual(
      config.assets.map((rule) => rule.backfillPolicy),
      [
        undefined,
        { type: "single_run" },
        { type: "multi_run", maxPartitionsPerRun: 1 },
        { type: "multi_run", maxPartitionsPerRun: 7 },
      ],
    );
    assert.deepEqual(
      config.schedules.map((s) => [s.name, s.timezone]),
      [
        ["nightly", "Europe/Berlin"],
        ["utc", "UTC"],
      ],
    );
  });

  it("an empty file is an empty config", () => {
    assert.deepEqual(parse(""), {
      partitions: new Map(),
      assets: [],
      schedules: [],
      sources: new Map(),
      notifications: [],
    });
  });

  it("reads notifications and freshness lags", () => {
    const config = parse(`${daily}assets:
  - {select: x, partitions: daily, freshness: {max_lag: 26h}}
  - {select: y, partitions: daily, freshness: {max_lag: 1d30m}}
notifications:
  - {name: ops, on: [run_failed, asset_overdue, run_failed], url: "https://hooks.example/ops"}
`);
    assert.deepEqual(
      config.assets.map((rule) => rule.freshness),
      [
        { maxLagMs: 26 * 3_600_000, maxLag: "26h" },
        { maxLagMs: 86_400_000 + 30 * 60_000, maxLag: "1d30m" },
      ],
    );
    assert.deepEqual(config.notifications, [
      { name: "ops", on: ["run_failed", "asset_overdue"], url: "https://hooks.example/ops" },
    ]);
  });

  const invalid: [string, string, string, number | undefined][] = [
    [
      "a zone that does not exist",
      "partitions:\n  daily: {type: daily, start: 2024-01-01, timezone: Mars/Base}",
      'almanac.yml: partitions.daily.timezone "Mars/Base" is not an IANA',
      2,
    ],
    [
      "an unknown type",
      "partitions:\n  daily: {type: quarterly, start: 2024-01-01}",
      "almanac.yml: partitions.daily: unknown type",
      2,
    ],
    [
      "a misspelt key",
      "partitions:\n  daily: {type: daily, start: 2024-01-01, end_ofset: 1}",
      "almanac.yml: unknown key partitions.daily.end_ofset",
      2,
    ],
    ["a missing start", "partitions:\n  daily: {type: daily}", "almanac.yml: partitions.daily.start is required", 2],
    [
      "a fractional end_offset",
      "partitions:\n  daily:\n    type: daily\n    start: 2024-01-01\n    end_offset: 0.5",
      "almanac.yml: partitions.daily.end_offset must be an integer, got 0.5",
      5,
    ],
    [
      "assets naming unknown partitions",
      `${daily}assets:\n  - {select: x, partitions: dayly}`,
      'almanac.yml: assets[0].partitions "dayly" names no partitions definition (did you mean "daily"?) (defined: daily)',
      4,
    ],
    [
      "assets without select",
      `${daily}assets:\n  - {partitions: daily}`,
      "almanac.yml: assets[0].select is required",
      4,
    ],
    [
      "a bad policy type",
      `${daily}assets:\n  - {select: x, partitions: daily, backfill_policy: {type: daily_run}}`,
      'almanac.yml: assets[0].backfill_policy.type must be single_run or multi_run, got "daily_run"',
      4,
    ],
    [
      "a zero max_partitions_per_run",
      `${daily}assets:\n  - {select: x, partitions: daily, backfill_policy: {type: multi_run, max_partitions_per_run: 0}}`,
      "almanac.yml: assets[0].backfill_policy.max_partitions_per_run must be a positive integer",
      4,
    ],
    [
      "a mapping whose start is after its end",
      `${daily}assets:\n  - select: x\n    partitions: daily\n    deps:\n      y: {start_offset: 0, end_offset: -6}`,
      "almanac.yml: assets[0].deps.y: start_offset 0 is after end_offset -6, so it maps to no partition",
      7,
    ],
    [
      "a mapping with a fractional offset",
      `${daily}assets:\n  - select: x\n    partitions: daily\n    deps:\n      y: {start_offset: -1.5}`,
      "almanac.yml: assets[0].deps.y.start_offset must be an integer, got -1.5",
      7,
    ],
    [
      "a mapping with an unknown key",
      `${daily}assets:\n  - select: x\n    partitions: daily\n    deps:\n      y: {offset: -1}`,
      "almanac.yml: unknown key assets[0].deps.y.offset (allowed: start_offset, end_offset)",
      7,
    ],
    [
      "a cron with four fields",
      `${daily}schedules:\n  - {name: n, select: x, partitions: daily, cron: "0 3 * *"}`,
      'almanac.yml: schedules[0].cron "0 3 * *" is not a valid cron expression: has 4 field(s)',
      4,
    ],
    [
      "a cron hour out of range",
      `${daily}schedules:\n  - {name: n, select: x, partitions: daily, cron: "0 25 * * *"}`,
      'almanac.yml: schedules[0].cron "0 25 * * *" is not a valid cron expression: Constraint error',
      4,
    ],
    [
      "a schedule name that cannot be a URL segment",
      `${daily}schedules:\n  - {name: "night/ly", select: x, partitions: daily}`,
      'almanac.yml: schedules[0].name "night/ly" must start with a letter',
      4,
    ],
    [
      "schedules with a bad zone",
      `${daily}schedules:\n  - {name: n, select: x, partitions: daily, cron: "0 3 * * *", timezone: Mars/Base}`,
      'almanac.yml: schedules[0].timezone "Mars/Base" is not an IANA zone',
      4,
    ],
    [
      "schedules naming unknown partitions",
      `${daily}schedules:\n  - {name: n, select: x, partitions: hourly, cron: "0 * * * *"}`,
      'almanac.yml: schedules[0].partitions "hourly" names no partitions definition',
      4,
    ],
    [
      "two schedules with one name",
      `${daily}schedules:\n  - {name: n, select: x, partitions: daily, cron: "0 3 * * *"}\n  - {name: n, select: x, partitions: daily, cron: "0 4 * * *"}`,
      'almanac.yml: schedules[1].name "n" is used twice',
      5,
    ],
    [
      "a notification on an unknown event",
      `notifications:\n  - {name: ops, on: [run_failed, run_faild], url: "https://hooks.example/x"}`,
      'almanac.yml: notifications[0].on[1] "run_faild" is not a notification event (did you mean "run_failed"?)',
      2,
    ],
    [
      "a notification on no event",
      `notifications:\n  - {name: ops, on: [], url: "https://hooks.example/x"}`,
      "almanac.yml: notifications[0].on must be a non-empty list of events (run_failed, backfill_completed, check_failed, asset_overdue)",
      2,
    ],
    [
      "a notification without url",
      "notifications:\n  - {name: ops, on: [run_failed]}",
      "almanac.yml: notifications[0].url is required",
      2,
    ],
    [
      "a notification url that is not http",
      "notifications:\n  - {name: ops, on: [run_failed], url: ftp://x/y}",
      "almanac.yml: notifications[0].url must be an http:// or https:// URL",
      2,
    ],
    [
      "a notification without name",
      "notifications:\n  - {on: [run_failed], url: https://x/y}",
      "almanac.yml: notifications[0].name is required",
      2,
    ],
    [
      "two notifications with one name",
      "notifications:\n  - {name: ops, on: [run_failed], url: https://x/y}\n  - {name: ops, on: [asset_overdue], url: https://x/z}",
      'almanac.yml: notifications[1].name "ops" is used twice',
      3,
    ],
    [
      "a freshness lag without unit",
      `${daily}assets:\n  - {select: x, partitions: daily, freshness: {max_lag: 26}}`,
      "almanac.yml: assets[0].freshness.max_lag must be a duration above zero like 30m, 26h or 2d, got 26",
      4,
    ],
    [
      "a freshness lag of zero",
      `${daily}assets:\n  - {select: x, partitions: daily, freshness: {max_lag: 0h}}`,
      'almanac.yml: assets[0].freshness.max_lag must be a duration above zero like 30m, 26h or 2d, got "0h"',
      4,
    ],
    [
      "a freshness lag in weeks",
      `${daily}assets:\n  - {select: x, partitions: daily, freshness: {max_lag: 1w}}`,
      'almanac.yml: assets[0].freshness.max_lag must be a duration above zero like 30m, 26h or 2d, got "1w"',
      4,
    ],
    [
      "freshness with an unknown key",
      `${daily}assets:\n  - {select: x, partitions: daily, freshness: {lag: 2h}}`,
      "almanac.yml: unknown key assets[0].freshness.lag (allowed: max_lag)",
      4,
    ],
    [
      "an unknown top-level key",
      "schedule: []",
      "almanac.yml: unknown key schedule (allowed: version, partitions, assets, schedules, sources, notifications)",
      1,
    ],
    ["assets that are not a list", "assets: {select: x}", "almanac.yml: assets must be a list", 1],
    ["broken YAML", "partitions:\n  daily: [1\nassets: 2", "almanac.yml:", undefined],
  ];
  for (const [name, text, start, line] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parse(text),
        (error: Error & { code?: string; details?: Record<string, unknown> }) => {
          assert.equal(error.code, "ALMANAC_BAD_PROJECT_CONFIG");
          assert.ok(error.message.startsWith(start), error.message);
          assert.ok(!error.message.includes("\n"), "one line");
          if (line !== undefined) assert.equal(error.details?.line, line);
          return true;
        },
      );
    });
  }
});
