import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadProject, type Project, selectModels } from "@almanac/project";
import { fixture } from "./fixtures.js";

// taxi DAG:
//   stg_trips ──┐
//   stg_zones ── int_zone_names ── int_trips_enriched ── borough_counts
//                                                     └─ daily_metrics ── fare_summary
//   stg_payments
describe("selectModels (taxi fixture)", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(fixture("taxi"));
  });

  const cases: [string, string[]][] = [
    ["daily_metrics", ["daily_metrics"]],
    ["+daily_metrics", ["stg_trips", "stg_zones", "int_zone_names", "int_trips_enriched", "daily_metrics"]],
    ["1+daily_metrics", ["int_trips_enriched", "daily_metrics"]],
    ["2+daily_metrics", ["stg_trips", "int_zone_names", "int_trips_enriched", "daily_metrics"]],
    ["int_zone_names+", ["int_zone_names", "int_trips_enriched", "borough_counts", "daily_metrics", "fare_summary"]],
    ["int_zone_names+1", ["int_zone_names", "int_trips_enriched"]],
    [
      "1+int_trips_enriched+1",
      ["stg_trips", "int_zone_names", "int_trips_enriched", "borough_counts", "daily_metrics"],
    ],
    [
      "@daily_metrics",
      ["stg_trips", "stg_zones", "int_zone_names", "int_trips_enriched", "daily_metrics", "fare_summary"],
    ],
    ["tag:staging", ["stg_payments", "stg_trips", "stg_zones"]],
    ["tag:daily+", ["daily_metrics", "fare_summary"]],
    ["path:models/staging", ["stg_payments", "stg_trips", "stg_zones"]],
    ["path:./models/marts/", ["borough_counts", "daily_metrics", "fare_summary"]],
    ["path:models/marts/finance/fare_summary.sql", ["fare_summary"]],
    ["models/marts/finance", ["fare_summary"]],
    ["config.materialized:incremental", ["daily_metrics"]],
    ["config.materialized:ephemeral", ["int_zone_names", "int_trips_enriched"]],
    ["config.schema:staging", ["stg_payments", "stg_trips", "stg_zones"]],
    ["config.tags:finance", ["fare_summary"]],
    ["config.partitions:daily", ["daily_metrics"]],
    ["config.enabled:true,tag:finance", ["fare_summary"]],
    ["tag:marts,config.materialized:table", ["fare_summary"]],
    ["tag:daily,config.materialized:incremental", ["daily_metrics"]],
    ["fare_summary stg_payments", ["stg_payments", "fare_summary"]],
    ["  stg_trips   tag:finance ", ["stg_trips", "fare_summary"]],
    ["tag:staging,path:models/staging stg_payments+", ["stg_payments", "stg_trips", "stg_zones"]],
    ["stg_*", ["stg_payments", "stg_trips", "stg_zones"]],
  ];
  for (const [selector, expected] of cases) {
    it(`selects ${JSON.stringify(selector)}`, () => {
      assert.deepEqual(selectModels(project, selector), expected);
    });
  }

  it('selects "*" as every model in project order', () => {
    assert.deepEqual(selectModels(project, "*"), project.order);
  });

  it("an unknown model name is ALMANAC_UNKNOWN_ASSET with a hint", () => {
    assert.throws(() => selectModels(project, "+dialy_metrics"), {
      code: "ALMANAC_UNKNOWN_ASSET",
      message: 'no model named "dialy_metrics" in project taxi (did you mean "daily_metrics"?)',
    });
  });

  it("a selector that matches nothing is ALMANAC_EMPTY_SELECTION", () => {
    assert.throws(() => selectModels(project, "tag:nightly"), {
      code: "ALMANAC_EMPTY_SELECTION",
      message: 'selector "tag:nightly" matches no model',
    });
    assert.throws(() => selectModels(project, "tag:staging,tag:finance"), { code: "ALMANAC_EMPTY_SELECTION" });
  });

  const malformed: [string, string][] = [
    ["", "empty selector (use a model name, tag:, path:, config.<key>:, or *)"],
    ["tag:", 'selector "tag:": "tag:" has no value after "tag:" (use a model name, tag:, path:, config.<key>:, or *)'],
    [
      "owner:ann",
      'selector "owner:ann": "owner:ann" uses unknown method "owner" (use a model name, tag:, path:, config.<key>:, or *)',
    ],
    [
      "config.:x",
      'selector "config.:x": "config.:x" uses unknown method "config." (use a model name, tag:, path:, config.<key>:, or *)',
    ],
    ["+", 'selector "+": "+" names nothing (use a model name, tag:, path:, config.<key>:, or *)'],
    ["++a", 'selector "++a": "++a" names nothing (use a model name, tag:, path:, config.<key>:, or *)'],
    ["@a+", 'selector "@a+": "@a+" cannot combine @ with + (use a model name, tag:, path:, config.<key>:, or *)'],
    [
      "a,,b",
      'selector "a,,b": "a,,b" has an empty part around a comma (use a model name, tag:, path:, config.<key>:, or *)',
    ],
    ["a;drop", 'selector "a;drop": "a;drop" is not a model name (use a model name, tag:, path:, config.<key>:, or *)'],
  ];
  for (const [selector, message] of malformed) {
    it(`rejects ${JSON.stringify(selector)} as ALMANAC_BAD_SELECTOR`, () => {
      assert.throws(() => selectModels(project, selector), { code: "ALMANAC_BAD_SELECTOR", message });
    });
  }
});
