import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { materialize, relationExists, relationKind } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, type TestWarehouse } from "./fixture.js";

describe("table materialization", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
  });
  after(async () => {
    await wh?.close();
  });

  const relation = { schema: "marts", identifier: "daily_totals" };
  const request = (sql: string) => ({ relation, sql, materialized: "table" as const });

  it("creates the table from the select", async () => {
    const result = await inTransaction(wh.client, () =>
      materialize(wh.client, request("select g as id from generate_series(1, 3) g")),
    );
    assert.equal(result.rowsWritten, 3);
    assert.equal(await relationKind(wh.client, relation), "table");
    assert.equal(await relationExists(wh.client, { schema: "marts", identifier: "daily_totals__almanac_new" }), false);
  });

  it("swaps in the new table: a reader sees the old rows until commit, then the new ones, never an empty table", async () => {
    const reader = await wh.connect();
    await wh.client.query("begin");
    const result = await materialize(wh.client, request("select g as id from generate_series(1, 5) g"));
    assert.equal(result.rowsWritten, 5);
    assert.deepEqual(
      result.statements.filter((s) => !s.startsWith("select")),
      [
        'drop table if exists "marts"."daily_totals__almanac_new"',
        'create table "marts"."daily_totals__almanac_new" as\nselect g as id from generate_series(1, 5) g',
        'drop table "marts"."daily_totals"',
        'alter table "marts"."daily_totals__almanac_new" rename to "daily_totals"',
      ],
    );
    // The reader blocks on the swap's lock instead of seeing an empty or missing table.
    const pending = reader.query<{ n: number }>("select count(*)::int as n from marts.daily_totals");
    const early = await Promise.race([pending.then(() => "answered"), sleep(300).then(() => "waiting")]);
    assert.equal(early, "waiting");
    await wh.client.query("commit");
    assert.equal((await pending).rows[0]?.n, 5);
  });

  it("keeps the old table readable while the new one is being built", async () => {
    const reader = await wh.connect();
    await wh.client.query("begin");
    // Stop right after the slow part (create … as select): build the work table by hand the same way.
    await wh.client.query('create table "marts"."daily_totals__almanac_new" as select 1 as id');
    const { rows } = await reader.query<{ n: number }>("select count(*)::int as n from marts.daily_totals");
    assert.equal(rows[0]?.n, 5);
    await wh.client.query("rollback");
  });

  it("rolls back to the old table when the caller rolls back", async () => {
    await wh.client.query("begin");
    await materialize(wh.client, request("select 1 as id"));
    await wh.client.query("rollback");
    assert.deepEqual(await rowsOf(wh.client, "select count(*)::int as n from marts.daily_totals"), [{ n: 5 }]);
  });

  it("replaces a view with a table", async () => {
    await wh.client.query("create view marts.was_view as select 1 as a");
    const was = { schema: "marts", identifier: "was_view" };
    await inTransaction(wh.client, () =>
      materialize(wh.client, { relation: was, sql: "select 2 as a", materialized: "table" }),
    );
    assert.equal(await relationKind(wh.client, was), "table");
    assert.deepEqual(await rowsOf(wh.client, "select a from marts.was_view"), [{ a: 2 }]);
  });

  it("does not cascade-drop views built on the old table", async () => {
    await wh.client.query("create view marts.on_top as select id from marts.daily_totals");
    await assert.rejects(
      inTransaction(wh.client, () => materialize(wh.client, request("select 9 as id"))),
      (error: unknown) => isAlmanacError(error) && error.details.sqlState === "2BP01" && /on_top/.test(error.message),
    );
    assert.equal(await relationKind(wh.client, { schema: "marts", identifier: "on_top" }), "view");
    await wh.client.query("drop view marts.on_top");
  });

  it("builds a table whose name is at Postgres's 63-byte limit", async () => {
    const long = { schema: "marts", identifier: "x".repeat(63) };
    await inTransaction(wh.client, () =>
      materialize(wh.client, { relation: long, sql: "select 1 as a", materialized: "table" }),
    );
    await inTransaction(wh.client, () =>
      materialize(wh.client, { relation: long, sql: "select 2 as a", materialized: "table" }),
    );
    assert.deepEqual(await rowsOf(wh.client, `select a from marts.${"x".repeat(63)}`), [{ a: 2 }]);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
