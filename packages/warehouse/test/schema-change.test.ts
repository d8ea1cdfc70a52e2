import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { columnsOf, type MaterializeRequest, materialize, type SchemaChangePolicy } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, type TestWarehouse, utcDay } from "./fixture.js";

describe("on_schema_change", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
  });
  after(async () => {
    await wh?.close();
  });

  const window = utcDay("2024-01-02");
  /** First run with columns (id, day, old_col, amount int), then a second run whose output drops old_col, adds new_col and makes amount text. */
  async function evolve(identifier: string, onSchemaChange: SchemaChangePolicy) {
    const base: MaterializeRequest = {
      relation: { schema: "analytics", identifier },
      sql: "select 1 as id, date '2024-01-01' as day, 'o'::text as old_col, 5 as amount",
      materialized: "incremental",
      window: utcDay("2024-01-01"),
      timeColumn: "day",
      onSchemaChange,
    };
    await inTransaction(wh.client, () => materialize(wh.client, base));
    return inTransaction(wh.client, () =>
      materialize(wh.client, {
        ...base,
        window,
        sql: "select 2 as id, date '2024-01-02' as day, '7'::text as amount, 'n'::text as new_col",
      }),
    );
  }
  const columns = async (identifier: string) =>
    (await columnsOf(wh.client, { schema: "analytics", identifier })).map((c) => `${c.name} ${c.dataType}`);

  it("ignore (the default) keeps the table's columns and writes the ones the output has", async () => {
    await evolve("ignored", "ignore");
    assert.deepEqual(await columns("ignored"), ["id integer", "day date", "old_col text", "amount integer"]);
    assert.deepEqual(await rowsOf(wh.client, "select id, old_col, amount from analytics.ignored order by id"), [
      { id: 1, old_col: "o", amount: 5 },
      { id: 2, old_col: null, amount: 7 },
    ]);
  });

  it("fail raises ALMANAC_SCHEMA_CHANGE listing what changed, and writes nothing", async () => {
    await assert.rejects(evolve("failing", "fail"), (error: unknown) => {
      assert.ok(isAlmanacError(error));
      assert.equal(error.code, "ALMANAC_SCHEMA_CHANGE");
      assert.match(error.message, /added columns: new_col \(text\)/);
      assert.match(error.message, /removed columns: old_col \(text\)/);
      assert.match(error.message, /changed types: amount \(integer → text\)/);
      return true;
    });
    assert.deepEqual(await rowsOf(wh.client, "select id from analytics.failing"), [{ id: 1 }]);
  });

  it("append_new_columns adds the new columns and keeps the removed ones", async () => {
    await evolve("appending", "append_new_columns");
    assert.deepEqual(await columns("appending"), [
      "id integer",
      "day date",
      "old_col text",
      "amount integer",
      "new_col text",
    ]);
    assert.deepEqual(await rowsOf(wh.client, "select id, old_col, new_col from analytics.appending order by id"), [
      { id: 1, old_col: "o", new_col: null },
      { id: 2, old_col: null, new_col: "n" },
    ]);
  });

  it("sync_all_columns adds, drops and retypes columns to match the output", async () => {
    const result = await evolve("synced", "sync_all_columns");
    assert.deepEqual(await columns("synced"), ["id integer", "day date", "amount text", "new_col text"]);
    assert.deepEqual(await rowsOf(wh.client, "select id, amount, new_col from analytics.synced order by id"), [
      { id: 1, amount: "5", new_col: null },
      { id: 2, amount: "7", new_col: "n" },
    ]);
    assert.ok(result.statements.some((s) => s.startsWith('alter table "analytics"."synced"')));
  });

  it("does nothing when the output matches", async () => {
    const request: MaterializeRequest = {
      relation: { schema: "analytics", identifier: "stable" },
      sql: "select date '2024-01-02' as day",
      materialized: "incremental",
      window,
      timeColumn: "day",
      onSchemaChange: "fail",
    };
    await inTransaction(wh.client, () => materialize(wh.client, request));
    const result = await inTransaction(wh.client, () => materialize(wh.client, request));
    assert.ok(!result.statements.some((s) => s.startsWith("alter")));
  });
});
