import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadSeeds, materializeSelection } from "@almanac/engine";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

/** A project whose calendar model and code seed come from an installed package. */
const files: Record<string, string> = {
  "dbt_project.yml": "name: shop\nvars:\n  acme_utils:\n    acme_days: 3\n",
  "packages.yml": "packages:\n  - package: acme/acme_utils\n    version: 1.0.0\n",
  "models/day_codes.sql": [
    "select c.day, s.label",
    "from {{ ref('acme_utils', 'acme_calendar') }} c",
    "join {{ ref('acme_codes') }} s on s.code = c.day",
  ].join("\n"),
  "dbt_packages/acme_utils/dbt_project.yml":
    "name: acme_utils\nvars:\n  acme_days: 7\nmodels:\n  +materialized: table\n",
  "dbt_packages/acme_utils/models/acme_calendar.sql": "select generate_series(1, {{ var('acme_days') }}) as day",
  "dbt_packages/acme_utils/seeds/acme_codes.csv": "code,label\n1,one\n2,two\n3,three\n4,four\n",
};

describe("dbt packages against Postgres", () => {
  let dir: string;
  let fixture: EngineFixture;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "almanac-packages-"));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    fixture = await engineFixture(dir);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a package's seeds load with almanac seed and its models materialize as assets of the DAG", async () => {
    const reports = await loadSeeds(fixture.ctx, []);
    assert.deepEqual(
      reports.map((report) => [report.name, report.path]),
      [["acme_codes", "dbt_packages/acme_utils/seeds/acme_codes.csv"]],
    );
    const result = await materializeSelection(fixture.ctx, { select: "+day_codes" }, { now: new Date() });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(
      result.steps.map((step) => step.assetKey),
      ["acme_calendar", "day_codes"],
    );
    // The root project's `vars: {acme_utils: {acme_days: 3}}` wins over the package's 7.
    assert.deepEqual(await fixture.query("select day, label from public.day_codes order by day"), [
      { day: 1, label: "one" },
      { day: 2, label: "two" },
      { day: 3, label: "three" },
    ]);
  });
});
