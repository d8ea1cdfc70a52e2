import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { compileModel } from "@almanac/engine";
import { loadProject, type Project, renderModel, type Target } from "@almanac/project";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import { WorkerSyncQuery } from "@almanac/warehouse";
import pg from "pg";

const target: Target = { name: "dev", schema: "public", type: "postgres" };

// One model per construct of dbt's context that needs the database.
const models: Record<string, string> = {
  "pivot.sql": `{% set methods = run_query("select distinct method from public.payments order by 1") %}
select {% for m in (methods.columns[0].values() if execute else []) %}sum(case when method = '{{ m }}' then 1 else 0 end) as {{ m }}{% if not loop.last %}, {% endif %}{% endfor %}
from public.payments`,
  "rows.sql": `{% set r = run_query("select method, count(*) as n from public.payments group by 1 order by 1") %}
{%- if execute %}{% for row in r.rows %}{{ row[0] }}={{ row['n'] }}{% if not loop.last %},{% endif %}{% endfor %} {{ r.column_names | join('|') }}{% endif %}`,
  "statement.sql": `{% call statement('max_id', fetch_result=True) %}select max(id) as m from public.payments{% endcall %}
{%- if execute %}{{ load_result('max_id')['data'][0][0] }} {{ load_result('max_id').table.columns['m'].values()[0] }}{% endif %}`,
  "relations.sql": `{%- set found = adapter.get_relation(database=target.database, schema='public', identifier='payments') -%}
{%- set missing = adapter.get_relation(none, 'public', 'no_such_table') -%}
{%- if execute %}{{ found }} {{ missing is none }} {% for c in adapter.get_columns_in_relation(found) %}{{ c.name }}:{{ c.data_type }}{% if not loop.last %},{% endif %}{% endfor %}{% endif %}`,
  // dbt's Column methods, load_relation and api.Relation.create, as dbt_utils calls them.
  "columns.sql": `{%- set rel = api.Relation.create(database=target.database, schema='public', identifier='payments') -%}
{%- if execute %}{% set loaded = load_relation(rel) %}{{ loaded.is_table }} {{ loaded is mapping }} {{ loaded.get('metadata').get('type') }} {{ load_relation(api.Relation.create(schema='public', identifier='nope')) is none }}
{% for c in adapter.get_columns_in_relation(loaded) %}{{ c.quoted }} {{ c.is_string() }} {{ c.is_number() }} {{ c.string_size() if c.is_string() else c.dtype }}
{% endfor %}{% endif %}`,
  "execute_flag.sql": "select {{ execute }} as executing",
  "bad_query.sql": `{% if execute %}{% set r = run_query("select nope from public.payments") %}{% endif %}select 1`,
};

describe("the dbt context that needs the database (run_query, statement, adapter.get_relation…)", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let project: Project;
  let warehouse: WorkerSyncQuery;

  before(async () => {
    database = await createTestDatabase({ template: "empty" });
    pool = new pg.Pool({ connectionString: database.url });
    await pool.query(`create table public.payments (id integer, method text, amount numeric(10, 2));
      insert into public.payments values (1, 'coupon', 1.5), (2, 'card', 10), (3, 'card', 2.25)`);
    dir = await mkdtemp(path.join(tmpdir(), "almanac-db-context-"));
    await writeFile(path.join(dir, "dbt_project.yml"), "name: db_context\n");
    await mkdir(path.join(dir, "models"));
    for (const [file, sql] of Object.entries(models)) await writeFile(path.join(dir, "models", file), sql);
    project = await loadProject(dir);
    warehouse = new WorkerSyncQuery(database.url);
  });
  after(async () => {
    warehouse.close();
    await pool.end();
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  });

  const render = (name: string) => renderModel(project, name, { target, isIncremental: false, warehouse }).sql;

  it("run_query's columns[0].values() build a pivot from the data", () => {
    assert.equal(
      render("pivot"),
      "\nselect sum(case when method = 'card' then 1 else 0 end) as card, sum(case when method = 'coupon' then 1 else 0 end) as coupon\nfrom public.payments",
    );
  });

  it("rows by index and by column name, and column_names", () => {
    assert.equal(render("rows"), "card=2,coupon=1 method|n");
  });

  it("statement with fetch_result and load_result (data and table)", () => {
    assert.equal(render("statement"), "3 3");
  });

  it("adapter.get_relation finds a table or gives none; get_columns_in_relation lists its columns", () => {
    // A text column's data_type is dbt's `character varying(256)` (Column.string_size() of text).
    assert.equal(
      render("relations"),
      '"public"."payments" True id:integer,method:character varying(256),amount:numeric(10,2)',
    );
  });

  it("columns answer dbt's Column methods; load_relation and api.Relation.create", () => {
    assert.equal(
      render("columns"),
      'True True PostgresRelation True\n"id" False True integer\n"method" True False 256\n"amount" False True numeric(10,2)\n',
    );
  });

  it("execute is false at the parse and true in a run; compile without a database renders with false", () => {
    assert.equal(render("execute_flag"), "select True as executing");
    assert.equal(compileModel(project, "execute_flag", { target, now: new Date() }), "select False as executing");
    assert.equal(compileModel(project, "pivot", { target, now: new Date(), warehouse }).includes("as coupon"), true);
  });

  it("run_query without a database, or a failing query, is a template error at file:line", () => {
    assert.throws(() => renderModel(project, "pivot", { target, isIncremental: false }), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message: /^models\/pivot\.sql:1: run_query needs a database connection/,
    });
    assert.throws(() => render("bad_query"), {
      code: "ALMANAC_TEMPLATE_ERROR",
      message: 'models/bad_query.sql:1: run_query failed: column "nope" does not exist (SQLSTATE 42703)',
    });
  });
});
