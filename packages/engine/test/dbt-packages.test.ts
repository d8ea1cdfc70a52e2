import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { loadSeeds, materializeSelection, testSelection } from "@almanac/engine";
import { writeProject } from "@almanac/testing";
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
  // Generic tests: one from the package (called qualified), two from the project's tests/generic/.
  "dbt_packages/acme_utils/macros/tests.sql": [
    "{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}",
    "{% test expression_holds(model, expression) %}",
    "select * from {{ model }} where not ({{ expression }})",
    "{% endtest %}",
  ].join("\n"),
  "tests/generic/at_most.sql":
    "{% test at_most(model, column_name, max_value) %}select * from {{ model }} where {{ column_name }} > {{ max_value }}{% endtest %}",
  // fail_calc from the macro's config(): the query always returns one row, so count(*) would fail it.
  "tests/generic/same_rows_as.sql": [
    "{% test same_rows_as(model, compare_model) %}",
    "{{ config(fail_calc='max(diff)') }}",
    "select abs((select count(*) from {{ model }}) - (select count(*) from {{ compare_model }})) as diff",
    "{% endtest %}",
  ].join("\n"),
  // A seed's tests, in a properties file beside the seeds (dbt reads yml from every resource path).
  "seeds/codes.yml": [
    "version: 2",
    "seeds:",
    "  - name: acme_codes",
    "    columns:",
    "      - name: code",
    "        data_tests: [unique, {at_most: {max_value: 3}}]",
  ].join("\n"),
  // A singular test that refs no model checks the project's macros.
  // The rows of a unit test (dbt's `tests/fixtures/`), not a test: run as one it would fail to render.
  "tests/fixtures/order_rows.sql": "select 1 as id, {{ no_such_macro() }} as amount",
  "tests/slug_macro.sql": "select 1 as bad where '{{ modules.re.sub('[^a-z]+', '_', 'A b-c'.lower()) }}' != 'a_b_c'",
  "models/day_codes.yml": [
    "version: 2",
    "models:",
    "  - name: day_codes",
    "    data_tests:",
    '      - acme_utils.expression_holds: {expression: "day < 3", where: "day > 1"}',
    "      - same_rows_as: {compare_model: \"ref('acme_calendar')\"}",
    "      - same_rows_as: {compare_model: \"ref('acme_codes')\", name: same_rows_as_codes}",
    "    columns:",
    "      - name: day",
    "        data_tests:",
    "          - acme_utils.positive",
    "          - at_most: {max_value: 2, config: {severity: warn}}",
    '          - at_most: {max_value: 1, warn_if: "> 5", error_if: "> 5"}',
    '          - at_most: {max_value: 0, error_if: ">= 3", limit: 2}',
  ].join("\n"),
};

describe("dbt packages against Postgres", () => {
  let dir: string;
  let fixture: EngineFixture;

  before(async () => {
    dir = await writeProject("packages", files);
    fixture = await engineFixture(dir);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a package's seeds load with almanac seed, and as steps of a run that reaches them; its models materialize as assets of the DAG", async () => {
    const reports = await loadSeeds(fixture.ctx, []);
    assert.deepEqual(
      reports.map((report) => [report.name, report.path]),
      [["acme_codes", "dbt_packages/acme_utils/seeds/acme_codes.csv"]],
    );
    const result = await materializeSelection(fixture.ctx, { select: "+day_codes" }, { now: new Date() });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(
      result.steps.map((step) => [step.assetKey, step.materialized]),
      [
        ["acme_codes", "seed"],
        ["acme_calendar", "table"],
        ["day_codes", "view"],
      ],
    );
    // The root project's `vars: {acme_utils: {acme_days: 3}}` wins over the package's 7.
    assert.deepEqual(await fixture.query("select day, label from public.day_codes order by day"), [
      { day: 1, label: "one" },
      { day: 2, label: "two" },
      { day: 3, label: "three" },
    ]);
  });

  it("custom generic tests from the project and a package run as checks, with where, fail_calc, warn_if/error_if and limit", async () => {
    // The tables of the test above are there; re-run the model the tests check.
    const result = await materializeSelection(fixture.ctx, { select: "day_codes" }, { now: new Date() });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    const checks = await fixture.query<{ check_name: string; status: string; failures: number }>(
      "select check_name, status, failures from almanac.asset_checks where asset_key = 'day_codes' order by check_name",
    );
    assert.deepEqual(
      checks.map((check) => [check.check_name, check.status, check.failures]),
      [
        // day 3 is the one day > 1 where day < 3 does not hold.
        ["acme_utils_expression_holds_day_codes_day_3", "failed", 1],
        ["acme_utils_positive_day_codes_day", "passed", 0],
        // 3 failing rows, but limit 2 counts two: under error_if >= 3, so a warning (warn_if != 0).
        ["at_most_day_codes_day__0", "warned", 2],
        ["at_most_day_codes_day__1", "passed", 2],
        ["at_most_day_codes_day__2", "warned", 1],
        ["same_rows_as_codes", "failed", 1],
        ["same_rows_as_day_codes_ref_acme_calendar_", "passed", 0],
      ],
    );
  });

  it('almanac test "*" runs the tests of seeds and the tests that check no model', async () => {
    const tested = await testSelection(fixture.ctx, "*", { now: new Date() });
    const outcomes = tested.flatMap((asset) => asset.outcomes.map((o) => [asset.assetKey, o.checkName, o.status]));
    assert.deepEqual(
      outcomes.filter(([asset]) => asset !== "day_codes"),
      [
        ["", "slug_macro", "passed"],
        // acme_codes has 4 rows: code 4 is above 3.
        ["acme_codes", "unique_acme_codes_code", "passed"],
        ["acme_codes", "at_most_acme_codes_code__3", "failed"],
      ],
    );
    const seedOnly = await testSelection(fixture.ctx, "acme_codes", { now: new Date() });
    assert.deepEqual(
      seedOnly.map((asset) => [asset.assetKey, asset.outcomes.length]),
      [["acme_codes", 2]],
    );
  });
});
