import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { materialize, type SnapshotSpec } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, type TestWarehouse } from "./fixture.js";

const columnNames = {
  dbt_scd_id: "dbt_scd_id",
  dbt_updated_at: "dbt_updated_at",
  dbt_valid_from: "dbt_valid_from",
  dbt_valid_to: "dbt_valid_to",
  dbt_is_deleted: "dbt_is_deleted",
};

/** dbt's scd id: md5 of the key and updated_at as Postgres prints them, `|`-joined. */
function scdId(...parts: string[]): string {
  return createHash("md5").update(parts.join("|")).digest("hex");
}

interface Row {
  id: number;
  name: string;
  scd: string;
  upd: string;
  vfrom: string;
  vto: string | null;
  deleted?: string | null;
}

describe("snapshot materialization", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
    await wh.client.query("create schema src");
  });
  after(async () => {
    await wh?.close();
  });

  /** Runs the snapshot in its own transaction and returns that transaction's snapshot time. */
  async function run(identifier: string, sql: string, spec: Partial<SnapshotSpec>): Promise<string> {
    return inTransaction(wh.client, async () => {
      const { rows } = await wh.client.query<{ now: string }>("select now()::timestamp::text as now");
      await materialize(wh.client, {
        relation: { schema: "snapshots", identifier },
        sql,
        materialized: "snapshot",
        snapshot: { strategy: "timestamp", uniqueKey: "id", hardDeletes: "ignore", columnNames, ...spec },
      });
      return rows[0]?.now ?? "";
    });
  }

  async function table(identifier: string): Promise<Row[]> {
    const newRecord = identifier.includes("new_record");
    return rowsOf<Row>(
      wh.client,
      `select id, name, dbt_scd_id as scd, dbt_updated_at::text as upd, dbt_valid_from::text as vfrom,
              dbt_valid_to::text as vto${newRecord ? ", dbt_is_deleted as deleted" : ""}
         from snapshots.${identifier} order by id, dbt_valid_from${newRecord ? ", dbt_is_deleted" : ""}`,
    );
  }

  it("timestamp strategy: three runs close changed versions, add new keys and ignore deletes", async () => {
    await wh.client.query(`create table src.people (id int, name text, updated_at timestamp);
      insert into src.people values (1, 'ann', '2024-01-01'), (2, 'bob', '2024-01-01')`);
    const sql = "select * from src.people";
    await run("people_ts", sql, { updatedAt: "updated_at" });
    const t1 = "2024-01-01 00:00:00";
    const v1 = (id: number, name: string): Row => ({
      id,
      name,
      scd: scdId(String(id), t1),
      upd: t1,
      vfrom: t1,
      vto: null,
    });
    assert.deepEqual(await table("people_ts"), [v1(1, "ann"), v1(2, "bob")]);

    // Run 2: ann renamed (later updated_at), bob deleted, cat new; an unchanged updated_at is no change.
    await wh.client.query(`update src.people set name = 'anne', updated_at = '2024-02-01' where id = 1;
      delete from src.people where id = 2; insert into src.people values (3, 'cat', '2024-02-01')`);
    await run("people_ts", sql, { updatedAt: "updated_at" });
    const t2 = "2024-02-01 00:00:00";
    const v2 = (id: number, name: string): Row => ({
      id,
      name,
      scd: scdId(String(id), t2),
      upd: t2,
      vfrom: t2,
      vto: null,
    });
    assert.deepEqual(await table("people_ts"), [
      { ...v1(1, "ann"), vto: t2 },
      v2(1, "anne"),
      v1(2, "bob"),
      v2(3, "cat"),
    ]);

    // Run 3: a new name with the same updated_at is not a change for the timestamp strategy.
    await wh.client.query(`update src.people set name = 'cathy' where id = 3;
      update src.people set name = 'annie', updated_at = '2024-03-01' where id = 1`);
    await run("people_ts", sql, { updatedAt: "updated_at" });
    const t3 = "2024-03-01 00:00:00";
    assert.deepEqual(await table("people_ts"), [
      { ...v1(1, "ann"), vto: t2 },
      { ...v2(1, "anne"), vto: t3 },
      { id: 1, name: "annie", scd: scdId("1", t3), upd: t3, vfrom: t3, vto: null },
      v1(2, "bob"),
      v2(3, "cat"),
    ]);
  });

  it("check strategy: versions are stamped with the run's time, and check_cols limits what counts", async () => {
    await wh.client.query(`create table src.items (id int, name text, price int);
      insert into src.items values (1, 'pen', 2), (2, 'ink', 5)`);
    const sql = "select id, name, price from src.items";
    const spec = { strategy: "check" as const, checkCols: ["price"] };
    const r1 = await run("items_check", sql, spec);
    const v = (id: number, name: string, at: string, vto: string | null = null): Row => ({
      id,
      name,
      scd: scdId(String(id), at),
      upd: at,
      vfrom: at,
      vto,
    });
    assert.deepEqual(await table("items_check"), [v(1, "pen", r1), v(2, "ink", r1)]);

    // Run 2: a renamed item is no change (name is not checked); a price change and a null price are.
    await wh.client.query(`update src.items set name = 'quill' where id = 1; update src.items set price = null where id = 2;
      insert into src.items values (3, 'nib', 1)`);
    const r2 = await run("items_check", sql, spec);
    assert.deepEqual(await table("items_check"), [
      v(1, "pen", r1),
      v(2, "ink", r1, r2),
      v(2, "ink", r2),
      v(3, "nib", r2),
    ]);

    // Run 3: `all` compares every column: the rename now counts; unchanged rows stay as they are.
    await wh.client.query("update src.items set price = 3 where id = 3");
    const r3 = await run("items_check", sql, { strategy: "check", checkCols: "all" });
    assert.deepEqual(await table("items_check"), [
      v(1, "pen", r1, r3),
      { ...v(1, "quill", r3) },
      v(2, "ink", r1, r2),
      v(2, "ink", r2),
      v(3, "nib", r2, r3),
      v(3, "nib", r3),
    ]);
  });

  it("hard_deletes invalidate closes a vanished key at the run's time; its return opens a new version", async () => {
    await wh.client.query(`create table src.accounts (id int, name text, updated_at timestamp);
      insert into src.accounts values (1, 'a', '2024-01-01'), (2, 'b', '2024-01-01')`);
    const sql = "select * from src.accounts";
    const spec = { updatedAt: "updated_at", hardDeletes: "invalidate" as const };
    await run("accounts_invalidate", sql, spec);
    await wh.client.query("delete from src.accounts where id = 2");
    const r2 = await run("accounts_invalidate", sql, spec);
    const t1 = "2024-01-01 00:00:00";
    const first = (id: number, name: string, vto: string | null = null): Row => ({
      id,
      name,
      scd: scdId(String(id), t1),
      upd: t1,
      vfrom: t1,
      vto,
    });
    assert.deepEqual(await table("accounts_invalidate"), [first(1, "a"), first(2, "b", r2)]);
    // Run 3: the deleted key is closed already: nothing changes.
    await run("accounts_invalidate", sql, spec);
    assert.deepEqual(await table("accounts_invalidate"), [first(1, "a"), first(2, "b", r2)]);
  });

  it("hard_deletes new_record adds a deleted version, and a new current one when the key returns", async () => {
    await wh.client.query(`create table src.members (id int, name text, updated_at timestamp);
      insert into src.members values (1, 'a', '2024-01-01'), (2, 'b', '2024-01-01')`);
    const sql = "select * from src.members";
    const spec = { updatedAt: "updated_at", hardDeletes: "new_record" as const };
    await run("members_new_record", sql, spec);
    const t1 = "2024-01-01 00:00:00";
    const first = (id: number, name: string, vto: string | null = null): Row => ({
      id,
      name,
      scd: scdId(String(id), t1),
      upd: t1,
      vfrom: t1,
      vto,
      deleted: "False",
    });
    assert.deepEqual(await table("members_new_record"), [first(1, "a"), first(2, "b")]);

    await wh.client.query("delete from src.members where id = 2");
    const r2 = await run("members_new_record", sql, spec);
    const deletedVersion: Row = {
      id: 2,
      name: "b",
      scd: scdId(scdId("2", t1), r2),
      upd: r2,
      vfrom: r2,
      vto: null,
      deleted: "True",
    };
    assert.deepEqual(await table("members_new_record"), [first(1, "a"), first(2, "b", r2), deletedVersion]);

    await wh.client.query("insert into src.members values (2, 'b2', '2024-03-01')");
    await run("members_new_record", sql, spec);
    const t3 = "2024-03-01 00:00:00";
    assert.deepEqual(await table("members_new_record"), [
      first(1, "a"),
      first(2, "b", r2),
      // As in dbt: the returning key's version starts at its updated_at, which can be before the deletion was seen.
      { id: 2, name: "b2", scd: scdId("2", t3), upd: t3, vfrom: t3, vto: null, deleted: "False" },
      { ...deletedVersion, vto: t3 },
    ]);
  });

  it("a composite unique_key, dbt_valid_to_current and custom meta column names", async () => {
    await wh.client.query(`create table src.stock (shop text, sku text, qty int, at timestamp);
      insert into src.stock values ('x', 'a', 1, '2024-01-01'), ('y', 'a', 2, '2024-01-01')`);
    const sql = "select * from src.stock";
    const spec: Partial<SnapshotSpec> = {
      uniqueKey: ["shop", "sku"],
      updatedAt: "at",
      validToCurrent: "'9999-12-31'::timestamp",
      columnNames: { ...columnNames, dbt_valid_from: "valid_from", dbt_valid_to: "valid_to" },
    };
    await run("stock", sql, spec);
    await wh.client.query("update src.stock set qty = 5, at = '2024-02-01' where shop = 'y'");
    await run("stock", sql, spec);
    const rows = await rowsOf<{ shop: string; qty: number; scd: string; vfrom: string; vto: string }>(
      wh.client,
      "select shop, qty, dbt_scd_id as scd, valid_from::text as vfrom, valid_to::text as vto from snapshots.stock order by shop, valid_from",
    );
    const t1 = "2024-01-01 00:00:00";
    const t2 = "2024-02-01 00:00:00";
    const end = "9999-12-31 00:00:00";
    assert.deepEqual(rows, [
      { shop: "x", qty: 1, scd: scdId("x", "a", t1), vfrom: t1, vto: end },
      { shop: "y", qty: 2, scd: scdId("y", "a", t1), vfrom: t1, vto: t2 },
      { shop: "y", qty: 5, scd: scdId("y", "a", t2), vfrom: t2, vto: end },
    ]);
  });

  it("a column the select gains is added to the table, and a view at the name is refused", async () => {
    await wh.client.query(`create table src.tags (id int, label text);
      insert into src.tags values (1, 'x')`);
    await run("tags", "select id, label from src.tags", { strategy: "check", checkCols: "all" });
    const r2 = await run("tags", "select id, label, 'new' as extra from src.tags", {
      strategy: "check",
      checkCols: "all",
    });
    const rows = await rowsOf<{ extra: string | null; vto: string | null }>(
      wh.client,
      "select extra, dbt_valid_to::text as vto from snapshots.tags order by dbt_valid_from",
    );
    assert.deepEqual(rows, [
      { extra: null, vto: r2 },
      { extra: "new", vto: null },
    ]);

    await wh.client.query("create view snapshots.a_view as select 1 as id");
    await assert.rejects(
      run("a_view", "select 1 as id", { strategy: "check", checkCols: "all" }),
      (error) => isAlmanacError(error) && /a view stands at its name/.test(error.message),
    );
  });
});
