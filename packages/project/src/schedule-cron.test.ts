import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAlmanacConfig } from "./almanac-config.js";
import { cronProblem, defaultScheduleCron } from "./schedule-cron.js";
import { YamlFile } from "./yaml-file.js";

describe("schedule cron", () => {
  it("defaults to the partitions definition's cadence, in its zone", () => {
    const config = parseAlmanacConfig(
      YamlFile.parse(
        "almanac.yml",
        `partitions:
  daily: {type: daily, start: 2024-01-01, timezone: Europe/Berlin}
  hourly: {type: hourly, start: 2024-01-01}
schedules:
  - {name: days, select: x, partitions: daily}
  - {name: hours, select: x, partitions: hourly}
  - {name: custom, select: x, partitions: daily, cron: " 15 4 * * * ", timezone: UTC}
`,
      ),
    );
    assert.deepEqual(
      config.schedules.map((s) => [s.name, s.cron, s.timezone]),
      [
        ["days", "0 0 * * *", "Europe/Berlin"],
        ["hours", "0 * * * *", "UTC"],
        ["custom", "15 4 * * *", "UTC"],
      ],
    );
  });

  const cadences: [Parameters<typeof defaultScheduleCron>[0], string][] = [
    ["hourly", "0 * * * *"],
    ["daily", "0 0 * * *"],
    ["weekly", "0 0 * * 0"],
    ["monthly", "0 0 1 * *"],
  ];
  for (const [type, cron] of cadences) {
    it(`a ${type} definition ticks at "${cron}"`, () => {
      assert.equal(defaultScheduleCron(type), cron);
      assert.equal(cronProblem(cron, "UTC"), undefined);
    });
  }

  const cases: [cron: string, problem: RegExp | undefined][] = [
    ["0 3 * * *", undefined],
    ["30 0 3 * * *", undefined],
    ["@daily", undefined],
    ["0 3 * *", /4 field/],
    ["* * *", /3 field/],
    ["0 3 * * * * *", /7 field/],
    ["0 25 * * *", /Constraint error/],
    ["0 3 * * 8", /Constraint error/],
    ["every day", /2 field/],
    ["0 3 * * mon-fry", /alias/],
    ["0 0 31 2 *", /day of month/],
  ];
  for (const [cron, problem] of cases) {
    it(`${problem ? "refuses" : "accepts"} "${cron}"`, () => {
      const found = cronProblem(cron, "UTC");
      if (problem === undefined) assert.equal(found, undefined);
      else assert.match(found ?? "", problem);
    });
  }
});
