import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadProject } from "@almanac/project";
import { fixture, fixtureVariant } from "./fixtures.js";

interface Expected {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

async function assertLoadFails(dir: string, expected: Expected): Promise<void> {
  await assert.rejects(loadProject(dir), (error: Error & { code?: string; details?: Record<string, unknown> }) => {
    assert.equal(error.code, expected.code);
    assert.equal(error.message, expected.message);
    for (const [key, value] of Object.entries(expected.details ?? {})) assert.deepEqual(error.details?.[key], value);
    return true;
  });
}

describe("loadProject errors", () => {
  it("a ref cycle names the path and the files", () =>
    assertLoadFails(fixture("cycle"), {
      code: "ALMANAC_CYCLIC_REF",
      message: "cycle in ref(): a -> b -> c -> a (models/a.sql, models/b.sql, models/c.sql)",
      details: { cycle: ["a", "b", "c", "a"] },
    }));

  it("an unknown ref names file:line and the closest model", () =>
    assertLoadFails(fixture("unknown-ref"), {
      code: "ALMANAC_UNKNOWN_REF",
      message: 'models/marts/daily_metrics.sql:7: ref("stg_tripz") names no model (did you mean "stg_trips"?)',
      details: { file: "models/marts/daily_metrics.sql", line: 7, ref: "stg_tripz" },
    }));

  it("a ref to a disabled model says so", () =>
    assertLoadFails(fixture("disabled-ref"), {
      code: "ALMANAC_UNKNOWN_REF",
      message: 'models/new.sql:1: ref("old") names a disabled model (enabled: false): enable it, or remove the ref',
    }));

  it("an unknown source names file:line", () =>
    assertLoadFails(fixture("unknown-source"), {
      code: "ALMANAC_UNKNOWN_SOURCE",
      message:
        'models/stg_trips.sql:2: source("raw", "trip") is not defined in any sources: block (did you mean "raw.trips"?)',
      details: { file: "models/stg_trips.sql", line: 2 },
    }));

  it("a template syntax error reports file:line:column", () =>
    assertLoadFails(fixture("syntax-error"), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message: "models/broken.sql:5:4: unknown block tag: endfor",
      details: { file: "models/broken.sql", line: 5, column: 4 },
    }));

  it("a syntax error in a macro file reports the macro file", () =>
    assertLoadFails(fixture("macro-syntax"), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message: "macros/bad.sql:4:10: unexpected token: }}",
    }));

  it("two enabled models with one name are an error naming both files; a disabled twin is fine", () =>
    assertLoadFails(fixture("duplicate-models"), {
      code: "ALMANAC_BAD_PROJECT_CONFIG",
      message: 'two models are named "orders" (models/a/orders.sql, models/b/orders.sql): model names must be unique',
    }));

  it("config(partitions=…) naming no definition is an error naming the model file", () =>
    assertLoadFails(fixture("bad-model-partitions"), {
      code: "ALMANAC_BAD_MODEL_CONFIG",
      message:
        'models/events.sql: config partitions="dialy" names no partitions definition (did you mean "daily"?) (almanac.yml defines daily)',
    }));

  it("a folder without dbt_project.yml is ALMANAC_PROJECT_NOT_FOUND", async () => {
    await assert.rejects(loadProject(fixture("")), { code: "ALMANAC_PROJECT_NOT_FOUND" });
    await assert.rejects(loadProject(fixture("does-not-exist")), { code: "ALMANAC_PROJECT_NOT_FOUND" });
  });

  it("a missing var during the parse names the var and the model", async () => {
    await assert.rejects(loadProject(fixture("jinja"), { env: { ALMANAC_TEST_REQUIRED: "x" } }), {
      code: "ALMANAC_MISSING_VAR",
      message:
        'models/context/needs_label.sql:3: var("run_label") is not set and has no default: pass it as a run var or set vars.run_label in dbt_project.yml',
    });
  });
});

describe("almanac.yml against the models", () => {
  const base = "partitions:\n  daily: {type: daily, start: 2024-01-01}\n  hourly: {type: hourly, start: 2024-01-01}\n";

  async function withAlmanac(text: string, check: (dir: string) => Promise<void>): Promise<void> {
    const variant = await fixtureVariant("taxi", { "almanac.yml": text });
    try {
      await check(variant.dir);
    } finally {
      await variant.remove();
    }
  }

  it("an asset rule naming an unknown model is a config error", () =>
    withAlmanac(`${base}assets:\n  - {select: "+dialy_metrics", partitions: daily}\n`, (dir) =>
      assertLoadFails(dir, {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message:
          'almanac.yml: assets[0].select: no model named "dialy_metrics" in project taxi (did you mean "daily_metrics"?)',
        details: { line: 5 },
      }),
    ));

  it("a malformed schedule selector is a config error", () =>
    withAlmanac(`${base}schedules:\n  - {name: n, select: "tag:", partitions: daily, cron: "0 3 * * *"}\n`, (dir) =>
      assertLoadFails(dir, {
        code: "ALMANAC_BAD_PROJECT_CONFIG",
        message:
          'almanac.yml: schedules[0].select: selector "tag:": "tag:" has no value after "tag:" (use a model name, tag:, path:, config.<key>:, or *)',
      }),
    ));

  it("two rules putting one model in two definitions is an error naming both", () =>
    withAlmanac(
      `${base}assets:\n  - {select: "tag:daily", partitions: daily}\n  - {select: "config.materialized:incremental", partitions: hourly}\n`,
      (dir) =>
        assertLoadFails(dir, {
          code: "ALMANAC_BAD_PROJECT_CONFIG",
          message:
            'almanac.yml: assets[1] puts model "daily_metrics" in partitions "hourly" but assets[0] already put it in "daily"',
        }),
    ));

  it("an empty selection is a warning; ephemerals are never partitioned", () =>
    withAlmanac(
      `${base}assets:\n  - {select: "tag:nightly", partitions: daily}\n  - {select: "+daily_metrics", partitions: daily}\nschedules:\n  - {name: n, select: "tag:none", partitions: daily, cron: "0 3 * * *"}\n`,
      async (dir) => {
        const project = await loadProject(dir);
        assert.deepEqual(project.warnings, [
          'almanac.yml: assets[0].select "tag:nightly" matches no model',
          'almanac.yml: schedules[0].select "tag:none" matches no model',
        ]);
        assert.deepEqual(
          project.order.filter((name) => project.models.get(name)?.config.partitions === "daily"),
          ["stg_trips", "stg_zones", "daily_metrics"],
        );
        assert.equal(project.backfillPolicies.size, 0);
      },
    ));

  it("a model's own partitions config wins over a rule, with a warning", async () => {
    const variant = await fixtureVariant("taxi", {
      "almanac.yml": `${base}assets:\n  - {select: "tag:daily", partitions: daily}\n`,
      "models/marts/finance/fare_summary.sql": "{{ config(partitions='hourly', tags=['daily']) }}\nselect 1\n",
    });
    try {
      const project = await loadProject(variant.dir);
      assert.equal(project.models.get("fare_summary")?.config.partitions, "hourly");
      assert.equal(project.models.get("daily_metrics")?.config.partitions, "daily");
      assert.deepEqual(project.warnings, [
        'models/marts/finance/fare_summary.sql: config partitions="hourly" wins over almanac.yml assets[0] (daily)',
      ]);
    } finally {
      await variant.remove();
    }
  });

  it("a bad partitions definition is reported as an almanac.yml key", () =>
    withAlmanac("partitions:\n  daily: {type: daily, start: 2024-01-01, timezone: Mars/Base}\n", (dir) =>
      assert.rejects(loadProject(dir), (error: Error & { code?: string }) => {
        assert.equal(error.code, "ALMANAC_BAD_PROJECT_CONFIG");
        assert.match(error.message, /^almanac\.yml: partitions\.daily\.timezone "Mars\/Base" is not an IANA/);
        return true;
      }),
    ));
});
