import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { columnsOf, materialize, relationKind } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, type TestWarehouse } from "./fixture.js";

describe("view materialization", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
  });
  after(async () => {
    await wh?.close();
  });

  const relation = { schema: "analytics", identifier: "stg_orders" };
  const build = (sql: string) =>
    inTransaction(wh.client, () => materialize(wh.client, { relation, sql, materialized: "view" }));

  it("creates the schema and the view", async () => {
    const result = await build("select 1 as id, 'a'::text as name;");
    assert.equal(await relationKind(wh.client, relation), "view");
    assert.deepEqual(await rowsOf(wh.client, "select * from analytics.stg_orders"), [{ id: 1, name: "a" }]);
    assert.equal(result.rowsWritten, 0);
    assert.ok(result.statements.some((s) => s.startsWith('create schema if not exists "analytics"')));
    assert.ok(result.statements.some((s) => s.startsWith('create view "analytics"."stg_orders"')));
  });

  it("replaces the view in place when columns are only added", async () => {
    const result = await build("select 1 as id, 'a'::text as name, 2 as extra");
    assert.ok(result.statements.some((s) => s.startsWith("create or replace view")));
    assert.ok(!result.statements.some((s) => s.startsWith("drop view")));
    assert.deepEqual(
      (await columnsOf(wh.client, relation)).map((c) => c.name),
      ["id", "name", "extra"],
    );
  });

  it("drops and recreates the view when a column is removed or retyped", async () => {
    const result = await build("select 'x'::text as id");
    assert.ok(result.statements.includes("rollback to savepoint almanac_replace_view"));
    assert.ok(result.statements.includes('drop view "analytics"."stg_orders"'));
    assert.deepEqual(await columnsOf(wh.client, relation), [{ name: "id", dataType: "text" }]);
  });

  it("replaces a table that stands where the view should be", async () => {
    await wh.client.query("create table analytics.was_table (a int)");
    const was = { schema: "analytics", identifier: "was_table" };
    await inTransaction(wh.client, () =>
      materialize(wh.client, { relation: was, sql: "select 7 as a", materialized: "view" }),
    );
    assert.equal(await relationKind(wh.client, was), "view");
  });

  it("refuses to drop a view other objects depend on, with a clear error, and changes nothing", async () => {
    await wh.client.query("create view analytics.downstream as select id from analytics.stg_orders");
    await assert.rejects(build("select 1 as other"), (error: unknown) => {
      assert.ok(isAlmanacError(error));
      assert.equal(error.code, "ALMANAC_MODEL_SQL_ERROR");
      assert.equal(error.details.sqlState, "2BP01");
      assert.match(error.message, /depend/);
      assert.match(error.message, /downstream/);
      assert.match(error.message, /no CASCADE/);
      return true;
    });
    assert.deepEqual(await columnsOf(wh.client, relation), [{ name: "id", dataType: "text" }]);
    assert.equal(await relationKind(wh.client, { schema: "analytics", identifier: "downstream" }), "view");
  });
});
