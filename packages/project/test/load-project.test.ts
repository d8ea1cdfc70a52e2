import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { downstreamOf, loadProject, type Project, partitionsOf, upstreamOf } from "@almanac/project";
import { fixture, fixtureVariant } from "./fixtures.js";

describe("loadProject (taxi fixture)", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(fixture("taxi"));
  });

  it("reads the project's name, vars and a stable topological order", () => {
    assert.equal(project.name, "taxi");
    assert.equal(project.dir, fixture("taxi"));
    assert.deepEqual(project.vars, { min_fare: 2.5, payment_type_cash: 2, region: "nyc" });
    assert.deepEqual(project.order, [
      "stg_payments",
      "stg_trips",
      "stg_zones",
      "int_zone_names",
      "int_trips_enriched",
      "borough_counts",
      "daily_metrics",
      "fare_summary",
    ]);
    assert.deepEqual(project.warnings, []);
  });

  it("folder config: nested folders inherit and override, tags accumulate", () => {
    const config = (name: string) => project.models.get(name)?.config;
    assert.deepEqual(config("stg_trips"), {
      materialized: "view",
      tags: ["taxi", "staging"],
      schema: "staging",
      on_schema_change: "ignore",
      enabled: true,
    });
    assert.equal(config("int_zone_names")?.materialized, "ephemeral");
    assert.deepEqual(config("fare_summary"), {
      materialized: "table",
      tags: ["taxi", "marts", "finance"],
      meta: { owner: "data", tier: "gold" },
      schema: "finance",
      alias: "fares",
      on_schema_change: "ignore",
      enabled: true,
    });
  });

  it("precedence: folders < properties yml < config() in the SQL < almanac.yml partitions", () => {
    // properties yml turns the marts folder's table back into a view
    assert.equal(project.models.get("borough_counts")?.config.materialized, "view");
    // config() in SQL wins over the staging folder's view
    assert.equal(project.models.get("stg_zones")?.config.materialized, "table");
    assert.deepEqual(project.models.get("daily_metrics")?.config, {
      materialized: "incremental",
      tags: ["taxi", "marts", "kpi", "daily"],
      meta: { owner: "data" },
      on_schema_change: "append_new_columns",
      unique_key: "day",
      event_time: "day",
      enabled: true,
      partitions: "daily",
    });
  });

  it("keeps properties: description and columns", () => {
    const model = project.models.get("daily_metrics");
    assert.equal(model?.description, "Trips and fares per day.");
    assert.deepEqual(model?.columns, [{ name: "day", description: "Day of pickup (UTC).", data_type: "date" }]);
    assert.equal(model?.path, "models/marts/daily_metrics.sql");
    assert.deepEqual(model?.folders, ["marts"]);
  });

  it("reads sources with schema (default: the source name) and identifier (default: the table name)", () => {
    const quoting = { schema: true, identifier: true };
    assert.deepEqual(
      [...project.sources.values()],
      [
        { sourceName: "raw", tableName: "trips", schema: "raw_data", identifier: "yellow_trips_2024", quoting },
        { sourceName: "raw", tableName: "zones", schema: "raw_data", identifier: "zones", quoting },
        { sourceName: "ops", tableName: "payments", schema: "ops", identifier: "payments", quoting },
      ],
    );
    assert.deepEqual(project.models.get("stg_trips")?.sources, [["raw", "trips"]]);
  });

  it("refs to seeds are kept apart from model refs", () => {
    assert.deepEqual([...project.seeds.keys()], ["zones"]);
    assert.equal(project.seeds.get("zones")?.path, "seeds/zones.csv");
    assert.deepEqual(project.models.get("stg_zones")?.refs, []);
    assert.deepEqual(project.models.get("stg_zones")?.seedRefs, ["zones"]);
  });

  it("upstreamOf and downstreamOf follow refs", () => {
    assert.deepEqual(upstreamOf(project, "int_trips_enriched"), ["stg_trips", "int_zone_names"]);
    assert.deepEqual(downstreamOf(project, "int_trips_enriched"), ["borough_counts", "daily_metrics"]);
    assert.deepEqual(downstreamOf(project, "fare_summary"), []);
    assert.throws(() => upstreamOf(project, "dialy_metrics"), {
      code: "ALMANAC_UNKNOWN_ASSET",
      message: 'no model named "dialy_metrics" in project taxi (did you mean "daily_metrics"?)',
    });
  });

  it("almanac.yml assets decide partitions and backfill policy", () => {
    assert.equal(partitionsOf(project, "daily_metrics")?.name, "daily");
    assert.equal(partitionsOf(project, "daily_metrics")?.type, "daily");
    assert.equal(partitionsOf(project, "fare_summary"), undefined);
    assert.deepEqual(project.backfillPolicies.get("daily_metrics"), { type: "multi_run", maxPartitionsPerRun: 7 });
    assert.equal(project.backfillPolicies.get("fare_summary"), undefined);
    assert.deepEqual([...project.partitions.keys()], ["daily", "hourly"]);
  });

  it("reads schedules; the timezone defaults to the partitions'", () => {
    assert.deepEqual(project.schedules, [
      { name: "nightly", select: "tag:daily", partitions: "daily", cron: "0 3 * * *", timezone: "UTC", lookback: 0 },
    ]);
  });
});

describe("loadProject (jinja fixture)", () => {
  it("a ref only in the is_incremental() branch is still a dependency", async () => {
    const project = await loadProject(fixture("jinja"), {
      env: { ALMANAC_TEST_REQUIRED: "yes" },
      vars: { run_label: "x" },
    });
    assert.deepEqual(project.models.get("incremental_branches")?.refs, ["base"]);
    assert.deepEqual(
      project.macroFiles.map((file) => file.path),
      ["macros/broken.sql", "macros/dispatch.sql", "macros/greet.sql", "macros/text.sql"],
    );
  });
});

describe("Jinja in dbt_project.yml config", () => {
  it("+enabled and +schema render with vars and env_var, read as Python literals; hooks are left for the run", async () => {
    const variant = await fixtureVariant("dbt-style", {
      "dbt_project.yml": [
        "name: shop",
        "models:",
        "  shop:",
        "    +materialized: view",
        "    marts:",
        "      +enabled: \"{{ var('build_marts', false) }}\"",
        "    staging:",
        "      +schema: \"{{ env_var('DBT_STAGING_SCHEMA', 'staging') }}\"",
        '      +post-hook: "{{ log(this) }}"',
        "seeds:",
        "  shop:",
        "    +enabled: \"{{ var('load_seeds', False) }}\"",
      ].join("\n"),
    });
    try {
      await mkdir(join(variant.dir, "seeds"), { recursive: true });
      await writeFile(join(variant.dir, "seeds/codes.csv"), "code\n1\n");
      const off = await loadProject(variant.dir, { env: {} });
      assert.equal(off.seeds.size, 0);
      assert.equal(
        [...off.models.values()].some((model) => model.folders[0] === "marts"),
        false,
      );
      const staging = [...off.models.values()].find((model) => model.folders[0] === "staging");
      assert.equal(staging?.config.schema, "staging");
      assert.deepEqual(staging?.config.post_hook, ["{{ log(this) }}"]);
      const on = await loadProject(variant.dir, {
        vars: { build_marts: true, load_seeds: true },
        env: { DBT_STAGING_SCHEMA: "stg" },
      });
      assert.deepEqual([...on.seeds.keys()], ["codes"]);
      assert.ok([...on.models.values()].some((model) => model.folders[0] === "marts"));
      assert.equal([...on.models.values()].find((model) => model.folders[0] === "staging")?.config.schema, "stg");
    } finally {
      await variant.remove();
    }
  });
});

describe("yml resources Almanac does not run", () => {
  it("semantic_models, metrics, saved_queries, exposures, groups and unit_tests load without error; models keep their properties", async () => {
    const variant = await fixtureVariant("taxi", {
      "models/semantic_layer.yml": [
        "version: 2",
        "groups:",
        "  - name: finance",
        "    owner: { name: Ann, email: ann@example.com }",
        "semantic_models:",
        "  - name: zones",
        "    model: ref('stg_zones')",
        "    defaults: { agg_time_dimension: created_at }",
        "    entities: [{ name: zone, type: primary, expr: zone_id }]",
        "    dimensions: [{ name: created_at, type: time, type_params: { time_granularity: day } }]",
        "    measures: [{ name: zone_count, agg: count, expr: zone_id }]",
        "metrics:",
        "  - name: zones_total",
        "    label: Zones",
        "    type: simple",
        "    type_params: { measure: zone_count }",
        "saved_queries:",
        "  - name: zones_by_day",
        "    query_params: { metrics: [zones_total], group_by: [\"TimeDimension('zone__created_at', 'day')\"] }",
        "exposures:",
        "  - name: zone_dashboard",
        "    type: dashboard",
        "    owner: { name: Ann }",
        "    depends_on: [ref('stg_zones')]",
        "unit_tests:",
        "  - name: zones_keep_their_ids",
        "    model: stg_zones",
        "    given:",
        "      - input: ref('zones')",
        "        rows: [{ zone_id: 1 }]",
        "    expect:",
        "      rows: [{ zone_id: 1 }]",
      ].join("\n"),
    });
    try {
      const project = await loadProject(variant.dir);
      assert.ok(project.models.has("stg_zones"));
      assert.deepEqual(project.models.get("stg_zones")?.seedRefs, ["zones"]);
      // A unit test is not a data test: nothing of it runs as a check.
      assert.ok(!project.tests.some((test) => test.name === "zones_keep_their_ids"));
    } finally {
      await variant.remove();
    }
  });
});
