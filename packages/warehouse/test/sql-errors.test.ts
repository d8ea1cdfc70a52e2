import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { columnsOf, materialize, quoteIdentifier, quoteRelation, relationKind } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, snapshot, type TestWarehouse, utcDay } from "./fixture.js";

describe("errors and quoting", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
    await wh.client.query(`
      create schema src;
      create table src.trips (id int, day date, amount int);
      insert into src.trips values (1, '2024-01-01', 10), (2, '2024-01-02', 20);
    `);
  });
  after(async () => {
    await wh?.close();
  });

  const relation = { schema: "analytics", identifier: "trips" };
  const partition = { materialized: "incremental" as const, window: utcDay("2024-01-01"), timeColumn: "day" };

  it("a Postgres error in the model becomes ALMANAC_MODEL_SQL_ERROR with SQLSTATE, line and SQL; rollback leaves the table unchanged", async () => {
    await inTransaction(wh.client, () =>
      materialize(wh.client, { relation, sql: "select id, day, amount from src.trips", ...partition }),
    );
    const before = await snapshot(wh.client, "analytics.trips");
    const sql = "select id,\n  day,\n  fare as amount\nfrom src.trips";
    await assert.rejects(
      inTransaction(wh.client, () => materialize(wh.client, { relation, sql, ...partition })),
      (error: unknown) => {
        assert.ok(isAlmanacError(error));
        assert.equal(error.code, "ALMANAC_MODEL_SQL_ERROR");
        assert.match(error.message, /^column "fare" does not exist \(SQLSTATE 42703\) at line 3 of the rendered SQL/);
        assert.equal(error.details.sqlState, "42703");
        assert.equal(typeof error.details.position, "number");
        assert.ok(String(error.details.sql).includes(sql), "details.sql is the full failing statement");
        assert.equal(error.retryable, false);
        return true;
      },
    );
    assert.equal(await snapshot(wh.client, "analytics.trips"), before);
  });

  it("an error after rows were deleted still leaves the table unchanged after rollback", async () => {
    const before = await snapshot(wh.client, "analytics.trips");
    // Fails while inserting (division by zero at runtime), after the window's delete ran.
    const sql = "select id, day, amount / (case when id = 1 then 0 else 1 end) as amount from src.trips";
    await assert.rejects(
      inTransaction(wh.client, () => materialize(wh.client, { relation, sql, ...partition })),
      (error: unknown) => isAlmanacError(error) && error.details.sqlState === "22012",
    );
    assert.equal(await snapshot(wh.client, "analytics.trips"), before);
  });

  it("a lost connection becomes ALMANAC_TRANSIENT_DB_ERROR with the original as cause", async () => {
    const doomed = await wh.connect();
    await doomed.query("begin");
    await assert.rejects(
      materialize(doomed, {
        relation: { schema: "analytics", identifier: "doomed" },
        sql: "select pg_terminate_backend(pg_backend_pid()) as killed",
        materialized: "table",
      }),
      (error: unknown) => {
        assert.ok(isAlmanacError(error));
        assert.equal(error.code, "ALMANAC_TRANSIENT_DB_ERROR");
        assert.equal(error.retryable, true);
        assert.ok(error.cause instanceof Error);
        return true;
      },
    );
    assert.equal(await relationKind(wh.client, { schema: "analytics", identifier: "doomed" }), undefined);
  });

  it("quotes identifiers that look like SQL", async () => {
    assert.equal(quoteIdentifier('a"b'), '"a""b"');
    assert.equal(quoteRelation({ schema: "s", identifier: "t" }), '"s"."t"');
    assert.throws(() => quoteIdentifier(""));
    const evil = { schema: 'x"; drop schema src cascade; --', identifier: 'y"; drop table src.trips; --' };
    const sql = `select id, day, amount as "a""b; drop table src.trips" from src.trips`;
    for (const day of ["2024-01-01", "2024-01-02"]) {
      await inTransaction(wh.client, () =>
        materialize(wh.client, {
          relation: evil,
          sql,
          materialized: "incremental",
          window: utcDay(day),
          timeColumn: "day",
          uniqueKey: ["id", 'a"b; drop table src.trips'],
          strategy: "merge",
          onSchemaChange: "sync_all_columns",
        }),
      );
    }
    assert.equal(await relationKind(wh.client, evil), "table");
    assert.deepEqual(
      (await columnsOf(wh.client, evil)).map((c) => c.name),
      ["id", "day", 'a"b; drop table src.trips'],
    );
    assert.deepEqual(await rowsOf(wh.client, "select count(*)::int as n from src.trips"), [{ n: 2 }]);
    assert.deepEqual(await rowsOf(wh.client, `select count(*)::int as n from ${quoteRelation(evil)}`), [{ n: 2 }]);
    for (const materialized of ["view", "table"] as const) {
      const other = { schema: evil.schema, identifier: `${evil.identifier} ${materialized}` };
      await inTransaction(wh.client, () => materialize(wh.client, { relation: other, sql, materialized }));
      assert.equal(await relationKind(wh.client, other), materialized);
    }
  });

  it("refuses an unknown materialization", async () => {
    await assert.rejects(
      materialize(wh.client, { relation, sql: "select 1", materialized: "ephemeral" as never }),
      (error: unknown) => isAlmanacError(error) && error.code === "ALMANAC_BAD_MODEL_CONFIG",
    );
  });
});
