import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { compileModel, loadSeeds, materializeSelection } from "@almanac/engine";
import { renderModel } from "@almanac/project";
import { writeProject } from "@almanac/testing";
import { WorkerSyncQuery } from "@almanac/warehouse";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const relation = (identifier: string) => `api.Relation.create(schema='public', identifier='${identifier}')`;

/**
 * dbt's adapter methods that change the database. dbt runs them while rendering, on the node's
 * connection; Almanac queues them and runs them in the step's transaction before the SQL that
 * called them.
 */
const files: Record<string, string> = {
  "dbt_project.yml": [
    "name: adapter_shop",
    "seeds:",
    "  adapter_shop:",
    "    scratch_rows:",
    // As dbt_utils' integration project does: a seed whose post-hook drops the table it loaded.
    "      +post-hook: \"{% do adapter.drop_relation(this.incorporate(type='table')) %}\"",
  ].join("\n"),
  "seeds/scratch_rows.csv": "id\n1\n2\n",
  "seeds/kept_rows.csv": "id\n1\n",
  "models/changes.sql": [
    `{% do adapter.truncate_relation(${relation("to_empty")}) %}`,
    `{% do adapter.expand_target_column_types(${relation("wide")}, ${relation("narrow")}) %}`,
    `{% do adapter.rename_relation(${relation("old_name")}, ${relation("new_name")}) %}`,
    `{% do adapter.drop_relation(load_relation(${relation("doomed_view")})) %}`,
    `select '{% for c in adapter.get_missing_columns(${relation("wide")}, ${relation("narrow")}) %}{{ c.name }}{% endfor %}' as missing`,
  ].join("\n"),
  "models/flags.sql": "select '{{ flags.FULL_REFRESH }} {{ flags.WHICH }}' as f",
  // dbt's graph as codegen reads it, a source whose schema is Jinja, and information_schema().
  "models/sources.yml": [
    "version: 2",
    "sources:",
    "  - name: raw",
    "    schema: \"{{ target.schema ~ '_raw' }}\"",
    "    tables:",
    "      - name: events",
    "        description: Raw events.",
    "        columns:",
    "          - { name: id, description: The event id., data_type: bigint, meta: { pii: false }, tags: [key] }",
    "          - name: kind",
  ].join("\n"),
  "models/reads_source.sql": "select * from {{ source('raw', 'events') }}",
  // The graph is empty while parsing, so codegen reads it under `if execute`.
  "models/graph_listing.sql": [
    "{%- if execute -%}",
    "{%- set node = (graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')",
    "   | selectattr('name', 'equalto', 'reads_source') | list).pop() -%}",
    "{{ node.depends_on.nodes | join(',') }} {{ node.original_file_path }} {{ node.raw_code }} {{ graph.sources | length }}",
    "{% endif -%}",
    "select * from {{ this.information_schema('columns') }}",
  ].join("\n"),
  // As codegen's generate_base_model reads descriptions: graph.sources[id]["columns"][col].
  "models/source_columns.sql": [
    "{%- if execute -%}",
    "{%- set events = graph.sources['source.adapter_shop.raw.events'] -%}",
    "{%- for name, column in events['columns'].items() -%}",
    "{{ name }}:{{ column['description'] }}:{{ column.data_type }}:{{ column.meta | tojson }}:{{ column.tags | join('|') }};",
    "{%- endfor %} {{ events.description }}",
    "{%- endif -%}",
  ].join("\n"),
  "models/untyped_drop.sql": `{% do adapter.drop_relation(${relation("wide")}) %}select 1 as x`,
  "models/drops_in_hook.sql": [
    `{{ config(materialized='table', post_hook="{% do adapter.drop_relation(${relation("old_copy").replaceAll("'", "\\'")}.incorporate(type='table')) %}") }}`,
    "select 1 as x",
  ].join("\n"),
};

describe("adapter methods that change the database (drop_relation, truncate, rename, expand_target_column_types)", () => {
  let dir: string;
  let fixture: EngineFixture;
  let warehouse: WorkerSyncQuery;

  before(async () => {
    dir = await writeProject("adapter", files);
    fixture = await engineFixture(dir);
    await fixture.query(`
      create table public.to_empty (id int); insert into public.to_empty values (1), (2);
      create table public.wide (code varchar(40), label varchar(5), extra int, n int);
      create table public.narrow (code varchar(10), label varchar(20), n int);
      create table public.old_name (id int);
      create view public.doomed_view as select 1 as x;
      create table public.old_copy (id int)`);
    warehouse = new WorkerSyncQuery(fixture.database.url);
  });
  after(async () => {
    warehouse.close();
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  const target = { name: "test", schema: "public", type: "postgres" } as const;

  it("a seed's post-hook drops the table its own transaction loaded, the other seeds stay", async () => {
    const reports = await loadSeeds(fixture.ctx, []);
    assert.deepEqual(reports.map((report) => report.name).sort(), ["kept_rows", "scratch_rows"]);
    const tables = await fixture.query<{ scratch: string | null; kept: string | null }>(
      "select to_regclass('public.scratch_rows')::text as scratch, to_regclass('public.kept_rows')::text as kept",
    );
    assert.deepEqual(tables, [{ scratch: null, kept: "kept_rows" }]);
  });

  it("a model's adapter calls become its first pre-hook, in the order they were made, and read committed columns", async () => {
    const rendered = renderModel(fixture.ctx.project, "changes", { target, isIncremental: false, warehouse });
    assert.deepEqual(rendered.preHooks, [
      {
        label: "adapter calls",
        sql: [
          'truncate table "public"."to_empty";',
          'alter table "public"."narrow" alter column "code" type character varying(40);',
          'alter table "public"."old_name" rename to "new_name";',
          'drop view if exists "public"."doomed_view" cascade;',
          "",
        ].join("\n"),
      },
    ]);
    assert.equal(rendered.sql.trim(), "select 'extra' as missing");
  });

  it("they run in the step's transaction: the database shows their effect after the run", async () => {
    for (const select of ["changes", "drops_in_hook"]) {
      const result = await materializeSelection(fixture.ctx, { select }, { now: new Date() });
      assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    }
    const [state] = await fixture.query<Record<string, unknown>>(`select
      (select count(*)::int from public.to_empty) as to_empty,
      (select character_maximum_length::int from information_schema.columns
        where table_name = 'narrow' and column_name = 'code') as code_length,
      to_regclass('public.new_name')::text as renamed,
      to_regclass('public.doomed_view')::text as view,
      to_regclass('public.old_copy')::text as old_copy`);
    assert.deepEqual(state, { to_empty: 0, code_length: 40, renamed: "new_name", view: null, old_copy: null });
  });

  it("drop_relation of a relation whose type is unknown is an error at file:line saying how to give one", () => {
    assert.throws(() => renderModel(fixture.ctx.project, "untyped_drop", { target, isIncremental: false, warehouse }), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message:
        /^models\/untyped_drop\.sql:1: adapter\.drop_relation\("public"\."wide"\) needs a relation of known type/,
    });
  });

  it("flags.FULL_REFRESH and flags.WHICH follow the command: a run, or almanac compile --full-refresh", () => {
    assert.equal(
      renderModel(fixture.ctx.project, "flags", { target, isIncremental: false }).sql,
      "select 'False run' as f",
    );
    const compiled = compileModel(fixture.ctx.project, "flags", { target, now: new Date(), fullRefresh: true });
    assert.equal(compiled, "select 'True compile' as f");
  });

  it("graph.nodes lists models with depends_on, path and raw code; source schemas render their Jinja", () => {
    const render = (name: string) => renderModel(fixture.ctx.project, name, { target, isIncremental: false }).sql;
    assert.equal(
      render("graph_listing"),
      "source.adapter_shop.raw.events models/reads_source.sql select * from {{ source('raw', 'events') }} 1\nselect * from information_schema.columns",
    );
    assert.equal(render("reads_source"), 'select * from "public_raw"."events"');
  });

  it("graph.sources carries each source column's description, data_type, meta and tags from the yml", () => {
    const rendered = renderModel(fixture.ctx.project, "source_columns", { target, isIncremental: false }).sql;
    assert.equal(rendered, 'id:The event id.:bigint:{"pii": false}:key;kind::None:{}:; Raw events.');
  });

  it("while parsing (execute false) nothing is queued", () => {
    const parsed = renderModel(fixture.ctx.project, "changes", { target, isIncremental: false, execute: false });
    assert.deepEqual(parsed.preHooks, []);
  });
});
