import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { materializeSelection, testSelection } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

const now = new Date("2024-06-01T00:00:00Z");
const audit = "public_dbt_test__audit";

/** Orders with a null id, a duplicate id and an unexpected status. */
const files: Record<string, string> = {
  "dbt_project.yml": "name: audit_shop\n",
  "almanac.yml": [
    "partitions:",
    "  daily: { type: daily, start: 2024-03-01, timezone: UTC }",
    "assets:",
    "  - { select: daily_readings, partitions: daily, backfill_policy: { type: single_run } }",
  ].join("\n"),
  "models/orders.sql": [
    "{{ config(materialized='table') }}",
    "select * from (values (1, 'placed', 50), (2, 'shipped', 150), (2, 'returned', 20), (null, 'placed', 10))",
    "  as t(order_id, status, amount)",
  ].join("\n"),
  "models/daily_readings.sql": [
    "{{ config(materialized='incremental', event_time='day') }}",
    "select * from (values ('2024-03-01'::date, 1, null::int), ('2024-03-01'::date, 2, 5),",
    "  ('2024-03-02'::date, 3, null), ('2024-03-03'::date, 4, 7)) as t(day, reading_id, value)",
    "where day >= '{{ var(\"min_date\") }}' and day < '{{ var(\"max_date\") }}'",
  ].join("\n"),
  "models/schema.yml": [
    "version: 2",
    "models:",
    "  - name: orders",
    "    data_tests: [{ says_storing: { config: { store_failures: true } } }]",
    "    columns:",
    "      - name: order_id",
    "        data_tests:",
    "          - not_null: { config: { store_failures: true } }",
    // dbt also takes config keys beside the arguments.
    "          - unique: { store_failures: true }",
    "      - name: status",
    "        data_tests:",
    "          - accepted_values: { values: [placed, shipped], config: { store_failures_as: view } }",
    "          - not_null: { config: { store_failures: true, schema: audit, alias: status_nulls } }",
    // store_failures_as wins over store_failures.
    "          - unique: { config: { store_failures: true, store_failures_as: ephemeral } }",
    "      - name: amount",
    "        data_tests:",
    "          - not_null",
    // A name of 64 characters, which dbt shortens for its relation.
    "          - accepted_values: { values: [10, 20, 50, 150, 1000, 2000, 3000], config: { store_failures: true } }",
    "          - is_small",
    "  - name: daily_readings",
    "    columns:",
    "      - name: value",
    "        data_tests:",
    "          - not_null: { config: { store_failures: true } }",
    "      - name: reading_id",
    "        data_tests:",
    "          - accepted_values: { values: [1, 2, 4], config: { store_failures_as: view, alias: odd_readings } }",
  ].join("\n"),
  "tests/big_orders.sql": "{{ config(store_failures=true) }}\nselect * from {{ ref('orders') }} where amount > 100",
  // A macro that asks dbt's should_store_failures(): the yml's store_failures answers it.
  "tests/generic/says_storing.sql":
    "{% test says_storing(model) %}select '{{ should_store_failures() }}'::text as storing{% endtest %}",
  "tests/generic/is_small.sql": [
    "{% test is_small(model, column_name) %}",
    "{{ config(store_failures_as='table') }}",
    "select {{ column_name }} as too_big from {{ model }} where {{ column_name }} > 100",
    "{% endtest %}",
  ].join("\n"),
};

describe("store_failures: a data test writes its failing rows to the audit schema", () => {
  let dir: string;
  let f: EngineFixture;
  const kindOf = async (schema: string, name: string) =>
    (
      await f.query<{ relkind: string }>(
        "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2",
        [schema, name],
      )
    )[0]?.relkind;

  before(async () => {
    dir = await writeProject("store-failures", files);
    f = await engineFixture(dir);
    assert.equal((await materializeSelection(f.ctx, { select: "orders" }, { now })).status, "succeeded");
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a failing generic test stores exactly its failing rows, as a table, and the run says where", async () => {
    assert.equal(await kindOf(audit, "not_null_orders_order_id"), "r");
    assert.deepEqual(await f.query(`select * from ${audit}.not_null_orders_order_id`), [
      { order_id: null, status: "placed", amount: 10 },
    ]);
    // Set as a key beside the test's arguments.
    assert.deepEqual(await f.query(`select unique_field, n_records::int as n from ${audit}.unique_orders_order_id`), [
      { unique_field: 2, n: 2 },
    ]);
    const [event] = await f.query<{ message: string; data: { failuresRelation: string } }>(
      "select message, data from almanac.run_events where message like 'check not_null_orders_order_id failed%'",
    );
    const [{ db } = { db: "" }] = await f.query<{ db: string }>("select current_database() as db");
    const relation = `"${db}"."${audit}"."not_null_orders_order_id"`;
    assert.equal(event?.data.failuresRelation, relation);
    assert.match(
      event?.message ?? "",
      new RegExp(`\nSee test failures:\n {2}select \\* from ${relation.replaceAll(".", "\\.")}$`),
    );
  });

  it("store_failures_as: view stores the test's query as a view", async () => {
    assert.equal(await kindOf(audit, "accepted_values_orders_status__placed__shipped"), "v");
    assert.deepEqual(
      await f.query(
        `select value_field, n_records::int as n from ${audit}.accepted_values_orders_status__placed__shipped`,
      ),
      [{ value_field: "returned", n: 1 }],
    );
  });

  it("a passing test leaves an empty table, under its schema and alias when set, and dbt's short name when long", async () => {
    assert.equal(await kindOf("public_audit", "status_nulls"), "r");
    assert.deepEqual(await f.query("select * from public_audit.status_nulls"), []);
    const fullName = "accepted_values_orders_amount__10__20__50__150__1000__2000__3000";
    const shortName = `accepted_values_orders_${createHash("md5").update(fullName).digest("hex")}`;
    assert.equal(await kindOf(audit, shortName), "r");
    assert.deepEqual(await f.query(`select * from ${audit}."${shortName}"`), []);
  });

  it("tests without store_failures, or with store_failures_as: ephemeral, store nothing", async () => {
    assert.equal(await kindOf(audit, "not_null_orders_amount"), undefined);
    assert.equal(await kindOf(audit, "unique_orders_status"), undefined);
  });

  it("config(store_failures=…) in a singular test or in a {% test %} block stores failures too; should_store_failures() knows", async () => {
    assert.deepEqual(await f.query(`select order_id, amount from ${audit}.big_orders`), [{ order_id: 2, amount: 150 }]);
    assert.deepEqual(await f.query(`select too_big from ${audit}.is_small_orders_amount`), [{ too_big: 150 }]);
    assert.deepEqual(await f.query(`select storing from ${audit}.says_storing_orders_`), [{ storing: "True" }]);
  });

  it("almanac test replaces the stored failures: once fixed, the table is empty", async () => {
    await f.query("delete from public.orders where order_id is null");
    const [tested] = await testSelection(f.ctx, "orders", { now });
    const outcome = tested?.outcomes.find((o) => o.checkName === "not_null_orders_order_id");
    assert.equal(outcome?.status, "passed");
    assert.match(outcome?.failuresRelation ?? "", /"public_dbt_test__audit"\."not_null_orders_order_id"$/);
    assert.deepEqual(await f.query(`select * from ${audit}.not_null_orders_order_id`), []);
  });

  it("a partitioned model's check stores the failures of every partition it checked, replaced by the next check", async () => {
    const range = { select: "daily_readings", from: "2024-03-01", to: "2024-03-02" };
    assert.equal((await materializeSelection(f.ctx, range, { now })).status, "succeeded");
    const stored = () => f.query(`select reading_id from ${audit}.not_null_daily_readings_value order by reading_id`);
    assert.deepEqual(await stored(), [{ reading_id: 1 }, { reading_id: 3 }]);
    // A partition's scope view left on a pooled client after the commit would make this check fail to run.
    assert.equal(
      (await materializeSelection(f.ctx, { select: "daily_readings", partition: "2024-03-03" }, { now })).status,
      "succeeded",
    );
    assert.deepEqual(await stored(), []);
  });

  it("a partitioned model's view of failures reads the whole model: it outlives the one-partition scope", async () => {
    assert.equal(await kindOf(audit, "odd_readings"), "v");
    assert.deepEqual(await f.query(`select value_field from ${audit}.odd_readings`), [{ value_field: 3 }]);
  });
});

describe("store_failures off, or set wrong", () => {
  let dir: string;
  let f: EngineFixture;

  before(async () => {
    dir = await writeProject("store-failures-off", {
      "dbt_project.yml": "name: audit_off\n",
      "models/orders.sql": "{{ config(materialized='table') }}\nselect null::int as order_id",
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        data_tests: [not_null]\n",
    });
    f = await engineFixture(dir);
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  const auditSchemas = () => f.query("select nspname from pg_namespace where nspname like '%dbt_test__audit'");

  it("is off by default: a failing test creates no audit schema", async () => {
    const result = await materializeSelection(f.ctx, { select: "orders" }, { now });
    assert.equal(result.status, "succeeded");
    const [check] = await f.query<{ status: string }>("select status from almanac.asset_checks");
    assert.equal(check?.status, "failed");
    assert.deepEqual(await auditSchemas(), []);
  });

  it("store_failures_as: banana is a load error naming the file, and nothing is written", async () => {
    const broken = await writeProject("store-failures-banana", {
      "dbt_project.yml": "name: audit_banana\n",
      "models/orders.sql": "select 1 as order_id",
      "models/schema.yml": [
        "version: 2",
        "models:",
        "  - name: orders",
        "    columns:",
        "      - name: order_id",
        "        data_tests: [{ not_null: { config: { store_failures_as: banana } } }]",
      ].join("\n"),
    });
    await assert.rejects(loadProject(broken), {
      code: "ALMANAC_BAD_PROJECT_CONFIG",
      message:
        /models\/schema\.yml: test not_null on orders\.order_id: store_failures_as must be one of table, view, ephemeral, got "banana"/,
    });
    await rm(broken, { recursive: true, force: true });
    assert.deepEqual(await auditSchemas(), []);
  });

  it("a singular test's config(store_failures='maybe') is a load error naming its file", async () => {
    const broken = await writeProject("store-failures-maybe", {
      "dbt_project.yml": "name: audit_maybe\n",
      "models/orders.sql": "select 1 as order_id",
      "tests/no_orders.sql": "{{ config(store_failures='maybe') }}\nselect * from {{ ref('orders') }}",
    });
    await assert.rejects(loadProject(broken), {
      code: "ALMANAC_BAD_PROJECT_CONFIG",
      message: /tests\/no_orders\.sql: store_failures must be true or false, got "maybe"/,
    });
    await rm(broken, { recursive: true, force: true });
  });
});
