import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadSeeds, materializeSelection } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const insertStep = (text: string) => `insert into public.hook_order (step) values ('${text}')`;

/**
 * Hooks at every level dbt reads them: project and folder `+pre-hook` in dbt_project.yml, the
 * model's properties yml `config:`, its `config()`; seeds' hooks; on-run-start / on-run-end.
 * The failing hooks fail only when a var asks them to.
 */
const files: Record<string, string> = {
  "dbt_project.yml": [
    "name: hooks_shop",
    "on-run-start:",
    "  - \"insert into public.run_log (event) values ('start')\"",
    "  - \"{% if var('fail_start', false) %}select 1/0{% endif %}\"",
    "on-run-end:",
    '  - "insert into public.run_log (event) values (\'end {{ schemas | join(\\"|\\") }} {{ results | length }} {{ results[0].status }}\')"',
    "models:",
    "  hooks_shop:",
    `    +pre-hook: "${insertStep("project pre {{ this.identifier }}")}"`,
    "    marts:",
    `      +pre-hook: ["${insertStep("marts pre")}"]`,
    "    extra:",
    "      +enabled: \"{{ var('enable_extra', false) }}\"",
    "seeds:",
    "  hooks_shop:",
    "    +pre-hook: \"delete from public.seed_audit where seed = '{{ this.identifier }}'\"",
    "    +post-hook: \"insert into public.seed_audit select '{{ this.identifier }}', count(*) from {{ this }}\"",
    "    unused_codes:",
    "      +enabled: false",
  ].join("\n"),
  "almanac.yml": [
    "partitions:",
    "  daily: { type: daily, start: 2024-01-01, timezone: UTC, end_offset: 0 }",
    "assets:",
    '  - select: "daily_orders"',
    "    partitions: daily",
  ].join("\n"),
  "models/marts/daily_orders.sql": [
    "{{ config(",
    "    materialized='incremental', event_time='day',",
    `    pre_hook="${insertStep("config pre")}",`,
    "    post_hook=[",
    "      \"insert into public.audit select '{{ var('min_date') }}', count(*) from {{ this }}\",",
    "      \"{% if var('fail_hook', false) %}select * from public.no_such_table{% endif %}\",",
    "    ],",
    ") }}",
    "select d::date as day, 7 as orders",
    "from generate_series('{{ var(\"min_date\") }}'::date, '{{ var(\"max_date\") }}'::date - 1, interval '1 day') d",
  ].join("\n"),
  "models/marts/daily_orders.yml": [
    "version: 2",
    "models:",
    "  - name: daily_orders",
    "    config:",
    `      pre_hook: "${insertStep("yml pre")}"`,
  ].join("\n"),
  "models/extra/extra_model.sql": "select 1 as x",
  "seeds/customers.csv": "id,name\n1,ann\n2,bob\n3,cy\n",
  "seeds/unused_codes.csv": "code\n1\n",
  "seeds/customers.yml": [
    "version: 2",
    "seeds:",
    "  - name: customers",
    "    config:",
    "      post_hook: \"{% if var('fail_seed_hook', false) %}select 1/0{% endif %}\"",
  ].join("\n"),
};

describe("dbt hooks against Postgres", () => {
  let dir: string;
  let fixture: EngineFixture;
  const now = new Date("2024-02-01T00:00:00Z");

  before(async () => {
    dir = await writeProject("hooks", files);
    fixture = await engineFixture(dir);
    await fixture.query("create table public.hook_order (id serial, step text)");
    await fixture.query("create table public.audit (day text, row_count bigint)");
    await fixture.query("create table public.run_log (id serial, event text)");
    await fixture.query("create table public.seed_audit (seed text, row_count bigint)");
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  const runLog = async () =>
    (await fixture.query<{ event: string }>("select event from public.run_log order by id")).map((r) => r.event);

  it("pre-hooks of every level run in order (project, folder, properties yml, config()) before the model's SQL", async () => {
    const result = await materializeSelection(
      fixture.ctx,
      { select: "daily_orders", partition: "2024-01-01" },
      { now },
    );
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    const steps = await fixture.query<{ step: string }>("select step from public.hook_order order by id");
    assert.deepEqual(
      steps.map((row) => row.step),
      ["project pre daily_orders", "marts pre", "yml pre", "config pre"],
    );
  });

  it("a post-hook runs in the step's transaction, after the write: it sees the partition's rows", async () => {
    const result = await materializeSelection(
      fixture.ctx,
      { select: "daily_orders", partition: "2024-01-02" },
      { now },
    );
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(await fixture.query("select day, row_count::int as n from public.audit order by day"), [
      { day: "2024-01-01", n: 1 },
      { day: "2024-01-02", n: 2 },
    ]);
  });

  it("a failing post-hook fails the step naming the hook and model, and leaves the table and the earlier hooks' writes as they were", async () => {
    const before = await fixture.query("select count(*)::int as n from public.hook_order");
    fixture.ctx = { ...fixture.ctx, vars: { fail_hook: true } };
    try {
      const result = await materializeSelection(
        fixture.ctx,
        { select: "daily_orders", partition: "2024-01-03" },
        { now },
      );
      assert.equal(result.status, "failed");
      const step = result.steps[0];
      assert.equal(step?.errorCode, "ALMANAC_MODEL_SQL_ERROR");
      assert.match(
        step?.errorMessage ?? "",
        /post-hook 2 of model daily_orders failed: relation "public.no_such_table" does not exist/,
      );
    } finally {
      fixture.ctx = { ...fixture.ctx, vars: {} };
    }
    assert.deepEqual(await fixture.query("select day::text from public.daily_orders order by day"), [
      { day: "2024-01-01" },
      { day: "2024-01-02" },
    ]);
    // The pre-hooks and post-hook 1 of that step rolled back with it.
    assert.deepEqual(await fixture.query("select count(*)::int as n from public.hook_order"), before);
    assert.equal((await fixture.query("select * from public.audit where day = '2024-01-03'")).length, 0);
    const [partition] = await fixture.query<{ status: string }>(
      "select status from almanac.asset_partitions where asset_key = 'daily_orders' and partition_key = '2024-01-03'",
    );
    assert.equal(partition?.status, "failed");
  });

  it("on-run-start runs once before a run's first step and on-run-end once after its last, with schemas and results, failed runs included", async () => {
    // Three runs so far: one start and one end each, the failed one too.
    assert.deepEqual(await runLog(), [
      "start",
      "end public 1 success",
      "start",
      "end public 1 success",
      "start",
      "end public 1 error",
    ]);
  });

  it("a failing on-run-start skips every step of the run, and on-run-end still runs", async () => {
    await fixture.query("truncate public.run_log");
    fixture.ctx = { ...fixture.ctx, vars: { fail_start: true } };
    try {
      const result = await materializeSelection(
        fixture.ctx,
        { select: "daily_orders", partition: "2024-01-04" },
        { now },
      );
      assert.equal(result.status, "failed");
      assert.deepEqual(
        result.steps.map((step) => step.status),
        ["skipped"],
      );
      assert.match(
        result.steps[0]?.errorMessage ?? "",
        /skipped because on-run-start failed: on-run-start 2 of the run failed: division by zero/,
      );
    } finally {
      fixture.ctx = { ...fixture.ctx, vars: {} };
    }
    assert.deepEqual(await runLog(), ["start", "end public 1 skipped"]);
    assert.equal((await fixture.query("select * from public.daily_orders where day = '2024-01-04'")).length, 0);
  });

  it("seeds run their hooks in the seeds' transaction; a failing seed hook loads nothing; a disabled seed is not loaded", async () => {
    const reports = await loadSeeds(fixture.ctx, []);
    assert.deepEqual(
      reports.map((report) => report.name),
      ["customers"],
    );
    assert.deepEqual(await fixture.query("select seed, row_count::int as n from public.seed_audit"), [
      { seed: "customers", n: 3 },
    ]);
    await writeFile(join(dir, "seeds/customers.csv"), "id,name\n1,ann\n");
    await fixture.reload();
    fixture.ctx = { ...fixture.ctx, vars: { fail_seed_hook: true } };
    try {
      await assert.rejects(loadSeeds(fixture.ctx, ["customers"]), (error: Error & { code?: string }) => {
        assert.equal(error.code, "ALMANAC_MODEL_SQL_ERROR");
        assert.match(error.message, /post-hook 2 of seed customers failed: division by zero/);
        return true;
      });
    } finally {
      fixture.ctx = { ...fixture.ctx, vars: {} };
    }
    assert.deepEqual(await fixture.query("select count(*)::int as n from public.customers"), [{ n: 3 }]);
    assert.deepEqual(await fixture.query("select seed, row_count::int as n from public.seed_audit"), [
      { seed: "customers", n: 3 },
    ]);
    assert.equal((await fixture.query("select to_regclass('public.unused_codes') as t"))[0]?.t, null);
  });
});

describe("enabled", () => {
  let dir: string;
  before(async () => {
    dir = await writeProject("enabled", files);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("+enabled with a var() in dbt_project.yml: the model is an asset only when the var turns it on", async () => {
    const off = await loadProject(dir);
    assert.equal(off.models.has("extra_model"), false);
    const on = await loadProject(dir, { vars: { enable_extra: true } });
    assert.equal(on.models.has("extra_model"), true);
  });

  it("a ref to a disabled model or seed is an error naming it as disabled; a test of one is skipped with a warning", async () => {
    await writeFile(join(dir, "models/reads_extra.sql"), "select * from {{ ref('extra_model') }}");
    await assert.rejects(loadProject(dir), /models\/reads_extra\.sql:1: ref\("extra_model"\) names a disabled model/);
    await rm(join(dir, "models/reads_extra.sql"));
    await writeFile(join(dir, "models/reads_codes.sql"), "select * from {{ ref('unused_codes') }}");
    await assert.rejects(loadProject(dir), /ref\("unused_codes"\) names a disabled seed/);
    await rm(join(dir, "models/reads_codes.sql"));
    await mkdir(join(dir, "tests"), { recursive: true });
    await writeFile(join(dir, "tests/extra_is_one.sql"), "select * from {{ ref('extra_model') }} where x != 1");
    const project = await loadProject(dir);
    assert.equal(
      project.tests.some((test) => test.name === "extra_is_one"),
      false,
    );
    assert.ok(
      project.warnings.some((warning) =>
        /tests\/extra_is_one\.sql: refs "extra_model", a disabled model/.test(warning),
      ),
    );
  });

  it("config(enabled=false) on a model and enabled: false on a seed's properties take it out of the project", async () => {
    await writeFile(join(dir, "models/off.sql"), "{{ config(enabled=false) }}select 1 as x");
    await writeFile(join(dir, "seeds/off_seed.csv"), "a\n1\n");
    await writeFile(
      join(dir, "seeds/off_seed.yml"),
      "version: 2\nseeds:\n  - name: off_seed\n    config:\n      enabled: false\n",
    );
    await writeFile(join(dir, "models/yml_off.sql"), "select 1 as x");
    await writeFile(
      join(dir, "models/yml_off.yml"),
      "version: 2\nmodels:\n  - name: yml_off\n    config: {enabled: false}\n",
    );
    const project = await loadProject(dir);
    assert.equal(project.models.has("off"), false);
    assert.equal(project.models.has("yml_off"), false);
    assert.equal(project.seeds.has("off_seed"), false);
    assert.equal(project.seeds.has("customers"), true);
  });

  it("a hook with transaction: false is refused at load, naming the model and hook", async () => {
    await writeFile(
      join(dir, "models/outside.sql"),
      "{{ config(post_hook={'sql': 'vacuum', 'transaction': false}) }}select 1 as x",
    );
    await assert.rejects(loadProject(dir), /models\/outside\.sql: post-hook 1 has transaction: false/);
    await writeFile(
      join(dir, "models/outside.sql"),
      "{{ config(post_hook={'sql': 'analyze {{ this }}', 'transaction': true}) }}select 1 as x",
    );
    const project = await loadProject(dir);
    assert.deepEqual(project.models.get("outside")?.config.post_hook, ["analyze {{ this }}"]);
    await rm(join(dir, "models/outside.sql"));
  });
});
