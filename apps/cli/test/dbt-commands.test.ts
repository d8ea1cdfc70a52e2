import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { copyProject, createTestDatabase, editFile, examplesDir, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { runAlmanac } from "./cli-fixture.js";

const projectDir = path.join(examplesDir, "jaffle_shop");

describe("almanac seed, test and compile on the jaffle_shop example", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    env = { DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir };
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("compile without a database renders with execute false: the pivot has no columns yet", async () => {
    const result = await runAlmanac({ ALMANAC_PROJECT_DIR: projectDir }, "compile", "orders");
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /credit_card_amount/);
  });

  test("seed loads every seed and says where, with the types", async () => {
    const result = await runAlmanac(env, "seed");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'seed raw_customers: 100 rows created into "public"."raw_customers" (id integer, first_name text, last_name text)',
        'seed raw_orders: 368 rows created into "public"."raw_orders" (id integer, user_id integer, order_date date, status text)',
        'seed raw_payments: 416 rows created into "public"."raw_payments" (id integer, order_id integer, payment_method text, amount bigint)',
        "",
      ].join("\n"),
    );
    const unknown = await runAlmanac(env, "seed", "raw_customer");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no seed named "raw_customer" \(did you mean "raw_customers"\?\)/);
  });

  test("compile with a database answers run_query, as dbt compile does", async () => {
    assert.equal((await runAlmanac(env, "materialize", "stg_payments")).code, 0);
    const result = await runAlmanac(env, "compile", "orders");
    assert.equal(result.code, 0, result.stderr);
    for (const method of ["bank_transfer", "coupon", "credit_card", "gift_card"]) {
      assert.match(
        result.stdout,
        new RegExp(`sum\\(case when payment_method = '${method}' then amount else 0 end\\) as ${method}_amount`),
      );
    }
  });

  test("materialize runs the checks; test re-runs them and fails on an error-severity test", async () => {
    const built = await runAlmanac(
      env,
      "materialize",
      "+orders_daily +customers",
      "--from",
      "2024-01-01",
      "--to",
      "2024-01-14",
    );
    assert.equal(built.code, 0, built.stderr);
    const passing = await runAlmanac(env, "test", "orders_daily");
    assert.equal(passing.code, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /orders_daily: 56 checks on 14 partitions\n56 passed, 0 warned, 0 failed\n/);

    await pool.query(
      "insert into public.orders_daily select * from public.orders_daily where order_date = '2024-01-09'",
    );
    const failing = await runAlmanac(env, "test", "orders_daily", "--from", "2024-01-08", "--to", "2024-01-20");
    assert.equal(failing.code, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /orders_daily: 28 checks on 7 partitions, 6 not materialized yet\n/);
    assert.match(failing.stdout, /failed unique_orders_daily_order_date \[2024-01-09\]: 1 failing rows\n/);
    assert.match(failing.stdout, /27 passed, 0 warned, 1 failed\n$/);

    const status = await runAlmanac(
      env,
      "status",
      "orders_daily",
      "--from",
      "2024-01-08",
      "--to",
      "2024-01-10",
      "--json",
    );
    assert.equal(status.code, 0, status.stderr);
    const partitions = (JSON.parse(status.stdout) as { partitions: { key: string; checks: string | null }[] })
      .partitions;
    assert.deepEqual(
      partitions.map((p) => [p.key, p.checks]),
      [
        ["2024-01-08", "passed"],
        ["2024-01-09", "failed"],
        ["2024-01-10", "passed"],
      ],
    );
    const text = await runAlmanac(env, "status", "orders_daily", "--from", "2024-01-08", "--to", "2024-01-10");
    assert.match(text.stdout, /1 with failed checks/);
    assert.match(text.stdout, /2024-01-09\s+materialized, checks failed/);
  });

  test("compile with a database renders is_incremental() as a run would: true once the table exists, false with --full-refresh", async () => {
    const compile = async (...args: string[]) => {
      const result = await runAlmanac(env, "compile", "orders_daily", "--partition", "2024-01-05", ...args);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    // orders_daily was built by the test before.
    assert.match(await compile(), /from "public"\."orders_daily" where order_date < '2024-01-05'/);
    assert.doesNotMatch(await compile("--full-refresh"), /"orders_daily"/);
    const offline = await runAlmanac(
      { ALMANAC_PROJECT_DIR: projectDir },
      "compile",
      "orders_daily",
      "--partition",
      "2024-01-05",
    );
    assert.doesNotMatch(offline.stdout, /"orders_daily"/);
  });
  test("run-operation calls a macro with --args: its adapter calls and queries run at once; bad input exits 2", async () => {
    const dir = await copyProject("jaffle_shop");
    try {
      await writeFile(
        path.join(dir, "macros", "make_counts.sql"),
        [
          "{% macro make_counts(n) %}",
          "{% set ops = api.Relation.create(schema=target.schema ~ '_ops') %}",
          "{% do adapter.create_schema(ops) %}",
          "{% do run_query('create table ' ~ ops ~ '.counts as select generate_series(1, ' ~ n ~ ') as n') %}",
          "{% endmacro %}",
        ].join("\n"),
      );
      const run = await runAlmanac(
        { ...env, ALMANAC_PROJECT_DIR: dir },
        "run-operation",
        "make_counts",
        "--args",
        "{n: 3}",
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual((await pool.query("select count(*)::int as n from public_ops.counts")).rows, [{ n: 3 }]);
      const badArgs = await runAlmanac(
        { ...env, ALMANAC_PROJECT_DIR: dir },
        "run-operation",
        "make_counts",
        "--args",
        "[3]",
      );
      assert.equal(badArgs.code, 2);
      assert.match(badArgs.stderr, /--args must be a YAML mapping/);
      const unknown = await runAlmanac({ ...env, ALMANAC_PROJECT_DIR: dir }, "run-operation", "make_count");
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no macro make_count is defined/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("log(…, info=True) reaches the user in materialize, compile and run-operation; log() without info does not", async () => {
    const dir = await copyProject("jaffle_shop");
    try {
      await writeFile(
        path.join(dir, "models", "greets.sql"),
        "{{ log('hello ' ~ this.name, info=True) }}{{ log('quiet ' ~ this.name) }}select 1 as x",
      );
      await writeFile(
        path.join(dir, "macros", "say_hello.sql"),
        "{% macro say_hello(who) %}{% do log('hello ' ~ who, info=True) %}{% do log('quiet') %}{% endmacro %}",
      );
      const projectEnv = { ...env, ALMANAC_PROJECT_DIR: dir };
      const built = await runAlmanac(projectEnv, "materialize", "greets");
      assert.equal(built.code, 0, built.stderr);
      assert.match(built.stderr, /^hello greets\n.*ok greets/m);
      const compiled = await runAlmanac(projectEnv, "compile", "greets");
      assert.equal(compiled.code, 0, compiled.stderr);
      assert.equal(compiled.stderr, "hello greets\n");
      assert.equal(compiled.stdout, "select 1 as x\n");
      const operation = await runAlmanac(projectEnv, "run-operation", "say_hello", "--args", "{who: you}");
      assert.equal(operation.code, 0, operation.stderr);
      assert.equal(operation.stdout, "hello you\n");
      assert.doesNotMatch(built.stdout + built.stderr + compiled.stderr + operation.stderr, /quiet/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a model cannot read DATABASE_URL with env_var: the CLI refuses it and names the prefixes", async () => {
    const dir = await copyProject("jaffle_shop");
    try {
      await editFile(
        path.join(dir, "models/customers.sql"),
        "with customers as (",
        "-- {{ env_var('DATABASE_URL') }}\nwith customers as (",
      );
      const result = await runAlmanac({ ...env, ALMANAC_PROJECT_DIR: dir }, "compile", "customers");
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /models\/customers\.sql:1: env_var\("DATABASE_URL"\) is refused: templates may only read environment variables starting with DBT_, ALMANAC_/,
      );
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(db.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      const widened = await runAlmanac(
        { ...env, ALMANAC_PROJECT_DIR: dir, ALMANAC_ENV_VAR_PREFIXES: "DATABASE_" },
        "compile",
        "customers",
      );
      assert.equal(widened.code, 0, widened.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
