import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadProject, type Project, type RenderContext, relationOf, renderModel, type Target } from "@almanac/project";
import { fixture, fixtureVariant } from "./fixtures.js";

const target: Target = { name: "dev", schema: "analytics", type: "postgres", database: "warehouse" };
const window = {
  min_date: "2024-03-01",
  max_date: "2024-03-02",
  min_ts: "2024-03-01T00:00:00.000+00:00",
  max_ts: "2024-03-02T00:00:00.000+00:00",
};
const run: RenderContext = { target, vars: window, isIncremental: false, env: { ALMANAC_TEST_REQUIRED: "run-env" } };

describe("renderModel (taxi fixture)", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(fixture("taxi"));
  });

  it("renders sources with their schema and identifier, project vars and macros", () => {
    assert.equal(
      renderModel(project, "stg_trips", run).sql,
      `select
  trip_id,
  pickup_at,
  zone_id,
  
round(fare_cents / 100.0, 2) as fare
from "raw_data"."yellow_trips_2024"
where fare_cents >= 250
`,
    );
  });

  it("source quoting: unquoted where the source or table says quoting false, quoted by default", async () => {
    const variant = await fixtureVariant("taxi", {
      "models/staging/sources.yml": [
        "version: 2",
        "sources:",
        "  - name: raw",
        "    schema: raw_data",
        "    quoting: {schema: false}",
        "    tables:",
        "      - name: trips",
        "        identifier: yellow_trips_2024",
        "        quoting: {identifier: false}",
        "      - name: zones",
        "  - name: ops",
        "    tables:",
        "      - name: payments",
      ].join("\n"),
    });
    try {
      const quoted = await loadProject(variant.dir);
      assert.match(renderModel(quoted, "stg_trips", run).sql, /\nfrom raw_data\.yellow_trips_2024\n/);
      const bad = await fixtureVariant("taxi", {
        "models/staging/sources.yml":
          "version: 2\nsources:\n  - name: raw\n    quoting: {identifier: 'no'}\n    tables: [{name: trips}]\n",
      });
      try {
        await assert.rejects(loadProject(bad.dir), /quoting\.identifier must be true or false/);
      } finally {
        await bad.remove();
      }
    } finally {
      await variant.remove();
    }
  });

  it("refs a seed and a custom schema model the dbt way", () => {
    assert.equal(renderModel(project, "stg_zones", run).sql, '\nselect zone_id, borough from "analytics"."zones"\n');
    assert.deepEqual(relationOf(project, "stg_zones", target), {
      schema: "analytics_staging",
      identifier: "stg_zones",
    });
    assert.deepEqual(relationOf(project, "fare_summary", target), { schema: "analytics_finance", identifier: "fares" });
  });

  it("inlines nested ephemerals after the model's own leading with, each once", () => {
    const rendered = renderModel(project, "daily_metrics", { ...run, isIncremental: true });
    assert.equal(
      rendered.sql,
      `
with __dbt__cte__int_zone_names as (
select zone_id, upper(borough) as borough from "analytics_staging"."stg_zones"
), __dbt__cte__int_trips_enriched as (
select t.*, z.borough
from "analytics_staging"."stg_trips" t
join __dbt__cte__int_zone_names z using (zone_id)
), trips as (
  select * from __dbt__cte__int_trips_enriched
)
select date_trunc('day', pickup_at) as day, count(*) as trips, sum(fare) as fare
from trips
where pickup_at >= '2024-03-01' and pickup_at < '2024-03-02'

  and pickup_at > (select coalesce(max(day), '1900-01-01') from "analytics"."daily_metrics")

group by 1
`,
    );
    assert.deepEqual(rendered.relation, { schema: "analytics", identifier: "daily_metrics" });
    assert.equal(rendered.config.partitions, "daily");
  });

  it("is_incremental() false drops the incremental branch", () => {
    const sql = renderModel(project, "daily_metrics", run).sql;
    assert.ok(!sql.includes("coalesce(max(day)"));
    assert.ok(sql.endsWith("where pickup_at >= '2024-03-01' and pickup_at < '2024-03-02'\n\ngroup by 1\n"));
  });

  it("adapter.dispatch picks postgres__ over default__; target in templates", () => {
    assert.equal(
      renderModel(project, "fare_summary", run).sql,
      `select day, fare / nullif(trips, 0) as fare_per_trip, 'dev' as target_name
from "analytics"."daily_metrics"
`,
    );
  });

  it("unknown model is ALMANAC_UNKNOWN_ASSET with a hint", () => {
    assert.throws(() => renderModel(project, "stg_trip", run), {
      code: "ALMANAC_UNKNOWN_ASSET",
      message: 'no model named "stg_trip" in project taxi (did you mean "stg_trips"?)',
    });
  });
});

describe("renderModel (jinja fixture)", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(fixture("jinja"), {
      env: { ALMANAC_TEST_REQUIRED: "load-env" },
      vars: { run_label: "at-load" },
    });
  });

  it("var: window vars, then run vars, then project vars (project-scoped first), then the default", () => {
    assert.equal(
      renderModel(project, "vars_model", { ...run, vars: { ...window, min_fare: 9 } }).sql,
      `select
  '2024-03-01' as min_date,
  '2024-03-02T00:00:00.000+00:00' as max_ts,
  'nyc' as region,
  9 as min_fare,
  'fallback' as absent
`,
    );
    assert.ok(renderModel(project, "vars_model", run).sql.includes("  1 as min_fare,"));
  });

  it("a var with no value and no default is ALMANAC_MISSING_VAR naming the var and file:line", () => {
    assert.throws(() => renderModel(project, "needs_label", run), {
      code: "ALMANAC_MISSING_VAR",
      message:
        'models/context/needs_label.sql:3: var("run_label") is not set and has no default: pass it as a run var or set vars.run_label in dbt_project.yml',
    });
    const sql = renderModel(project, "needs_label", { ...run, vars: { run_label: "nightly" } }).sql;
    assert.equal(sql, "-- the label comes from the run's vars\nselect\n  'nightly' as label\n");
  });

  it("env_var reads ctx.env, falls back to the default, and fails without one", () => {
    assert.equal(renderModel(project, "env_model", run).sql, "select 'blue' as color, 'run-env' as required\n");
    assert.equal(
      renderModel(project, "env_model", { ...run, env: { ALMANAC_TEST_COLOR: "red", ALMANAC_TEST_REQUIRED: "x" } }).sql,
      "select 'red' as color, 'x' as required\n",
    );
    assert.throws(() => renderModel(project, "env_model", { ...run, env: {} }), {
      code: "ALMANAC_MISSING_VAR",
      message:
        'models/context/env_model.sql:1: env_var("ALMANAC_TEST_REQUIRED") is not set in the environment and has no default',
    });
  });

  it("env_var refuses variables without an allowed prefix, so a model cannot read DATABASE_URL", async () => {
    const variant = await fixtureVariant("jinja", {
      "models/context/env_model.sql": 'select \'{{ env_var("DATABASE_URL", "none") }}\' as url\n',
    });
    try {
      await assert.rejects(loadProject(variant.dir), {
        code: "ALMANAC_TEMPLATE_ERROR",
        message:
          'models/context/env_model.sql:1: env_var("DATABASE_URL") is refused: templates may only read environment variables starting with DBT_, ALMANAC_ (set ALMANAC_ENV_VAR_PREFIXES to change the list)',
      });
      const widened = await loadProject(variant.dir, {
        envVarPrefixes: ["DATABASE_"],
        env: {},
        vars: { run_label: "at-load" },
      });
      assert.equal(
        renderModel(widened, "env_model", { ...run, env: { DATABASE_URL: "x" } }).sql,
        "select 'x' as url\n",
      );
    } finally {
      await variant.remove();
    }
  });

  it("this and target, with a custom schema and alias", () => {
    assert.equal(
      renderModel(project, "this_target", run).sql,
      `select '"analytics_audit"."this_target_v2"' as self, 'analytics_audit.this_target_v2.this_target_v2' as parts, 'dev/analytics/postgres/warehouse' as target\n`,
    );
  });

  it("is_incremental() branches and config() keyword arguments", () => {
    const full = renderModel(project, "incremental_branches", run);
    assert.equal(full.sql, 'select id, day from "analytics"."incremental_branches"\n-- full build\n');
    const incremental = renderModel(project, "incremental_branches", { ...run, isIncremental: true });
    assert.equal(
      incremental.sql,
      `select id, day from "analytics"."incremental_branches"
where day >= '2024-03-01' and id not in (select id from "analytics"."base")\n`,
    );
    assert.deepEqual(incremental.config, {
      materialized: "incremental",
      unique_key: ["id", "day"],
      incremental_strategy: "delete+insert",
      full_refresh: false,
      grants: { select: ["reporter"] },
      tags: [],
      on_schema_change: "ignore",
      enabled: true,
    });
  });

  it("macros are global, call each other across files, see this/ref/var, return() values and dispatch", () => {
    assert.equal(
      renderModel(project, "macro_user", run).sql,
      `select 'hello ANN from macro_user' as greeting,
  3 as floor_plus_one,
  'd' as d,
  'p' as p,
  'pg' as b
from "analytics"."base" /* nyc */\n`,
    );
  });

  it("ephemeral without a leading with: with is prepended; nested ephemeral once; never incremental", () => {
    assert.equal(
      renderModel(project, "eph_plain_user", { ...run, isIncremental: true }).sql,
      `with __dbt__cte__eph_leaf as (
select 1 as id
), __dbt__cte__eph_mid as (
select id, False as incremental from __dbt__cte__eph_leaf
)
select * from __dbt__cte__eph_leaf join __dbt__cte__eph_mid using (id)\n`,
    );
  });

  it("ephemeral with a leading comment and WITH: CTEs go after WITH", () => {
    assert.equal(
      renderModel(project, "eph_with_user", run).sql,
      `-- reads the ephemerals
WITH __dbt__cte__eph_leaf as (
select 1 as id
), __dbt__cte__eph_mid as (
select id, False as incremental from __dbt__cte__eph_leaf
), picked as (
  select * from __dbt__cte__eph_mid
)
select * from picked\n`,
    );
  });

  it("an unknown ref at render time is ALMANAC_UNKNOWN_REF at file:line", () => {
    assert.throws(() => renderModel(project, "render_failures", { ...run, vars: { fail: "ref" } }), {
      code: "ALMANAC_UNKNOWN_REF",
      message: 'models/context/render_failures.sql:3: ref("nowhere") names no model',
    });
  });

  it("an error inside a macro names the model line and the macro file", () => {
    assert.throws(
      () => renderModel(project, "render_failures", { ...run, vars: { fail: "macro" } }),
      (error: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(error.code, "ALMANAC_MISSING_VAR");
        assert.equal(
          error.message,
          'models/context/render_failures.sql:5: in macro broken_macro (macros/broken.sql): var("not_there") is not set and has no default: pass it as a run var or set vars.not_there in dbt_project.yml',
        );
        assert.deepEqual(error.details?.macro, { name: "broken_macro", file: "macros/broken.sql" });
        return true;
      },
    );
  });

  it("an undefined value output inside a macro is located in the macro file", () => {
    assert.throws(() => renderModel(project, "render_failures", { ...run, vars: { fail: "undefined" } }), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message:
        "macros/broken.sql:7:3: in macro undefined_output called from models/context/render_failures.sql: attempted to output null or undefined value",
    });
  });

  it("renders the same SQL every time (compiled templates are reused)", () => {
    const first = renderModel(project, "macro_user", run).sql;
    for (let i = 0; i < 50; i++) assert.equal(renderModel(project, "macro_user", run).sql, first);
  });
});

describe("renderModel on a project built by hand", () => {
  it("compiles templates lazily from the project's models and macros", async () => {
    const loaded = await loadProject(fixture("jinja"), {
      env: { ALMANAC_TEST_REQUIRED: "x" },
      vars: { run_label: "x" },
    });
    const copy: Project = { ...loaded };
    assert.equal(renderModel(copy, "macro_user", run).sql, renderModel(loaded, "macro_user", run).sql);
  });
});
