import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase, writeProject } from "@almanac/testing";
import { runAlmanac } from "./cli-fixture.js";

let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase();
  dir = await writeProject("cli-store-failures", {
    "dbt_project.yml": "name: cli_audit\n",
    "models/orders.sql": "{{ config(materialized='table') }}\nselect * from (values (1), (null)) as t(id)",
    "models/schema.yml": [
      "version: 2",
      "models:",
      "  - name: orders",
      "    columns:",
      "      - name: id",
      "        data_tests: [{ not_null: { config: { store_failures: true } } }]",
    ].join("\n"),
  });
});
after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

test("almanac test points at a failing test's stored failures, as dbt test does", async () => {
  const env = { DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: dir };
  const built = await runAlmanac(env, "materialize", "orders");
  assert.equal(built.code, 0, built.stderr);
  const tested = await runAlmanac(env, "test", "orders");
  assert.equal(tested.code, 1, tested.stdout + tested.stderr);
  const database = new URL(db.url).pathname.slice(1);
  assert.match(
    tested.stdout,
    new RegExp(
      `failed not_null_orders_id: 1 failing rows\n {4}See test failures:\n {6}select \\* from "${database}"\\."public_dbt_test__audit"\\."not_null_orders_id"\n`,
    ),
  );
});
