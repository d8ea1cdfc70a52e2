import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAlmanacError } from "@almanac/errors";
import { type MaterializeRequest, materialize, type TimeWindow } from "../src/index.js";
import { inTransaction, openTestWarehouse, rowsOf, type TestWarehouse, utcDay } from "./fixture.js";

/** 2024-03-10 in New York: a 23-hour day (DST starts), given in every form the partitions package produces. */
const newYorkDstDay: TimeWindow = {
  startDate: "2024-03-10",
  endDate: "2024-03-11",
  startTs: "2024-03-10T00:00:00.000-05:00",
  endTs: "2024-03-11T00:00:00.000-04:00",
  startLocal: "2024-03-10T00:00:00",
  endLocal: "2024-03-11T00:00:00",
  timezone: "America/New_York",
};

describe("incremental first run on an empty database", () => {
  let wh: TestWarehouse;
  before(async () => {
    wh = await openTestWarehouse();
    // A session zone far from both UTC and New York: results must not depend on it.
    await wh.client.query("set timezone = 'Asia/Tokyo'");
    await wh.client.query(`
      create schema src;
      create table src.events (id int, day date, ts timestamptz, local_ts timestamp, amount int);
      insert into src.events values
        (1, '2024-03-09', '2024-03-10 04:59:59+00', '2024-03-09 23:59:59', 10),
        (2, '2024-03-10', '2024-03-10 05:00:00+00', '2024-03-10 00:00:00', 20),
        (3, '2024-03-10', '2024-03-11 03:59:59+00', '2024-03-10 23:59:59', 30),
        (4, '2024-03-11', '2024-03-11 04:00:00+00', '2024-03-11 00:00:00', 40),
        (5, '2024-03-12', '2024-03-12 12:00:00+00', '2024-03-12 12:00:00', 50);
    `);
  });
  after(async () => {
    await wh?.close();
  });

  const run = (identifier: string, extra: Partial<MaterializeRequest>) =>
    inTransaction(wh.client, () =>
      materialize(wh.client, {
        relation: { schema: "analytics", identifier },
        sql: "select id, day, ts, local_ts, amount from src.events",
        materialized: "incremental",
        ...extra,
      }),
    );
  const ids = async (identifier: string) =>
    (await rowsOf<{ id: number }>(wh.client, `select id from analytics.${identifier} order by id`)).map((r) => r.id);

  it("writes only the window's rows for a date column", async () => {
    const result = await run("by_date", { window: utcDay("2024-03-10"), timeColumn: "day" });
    assert.deepEqual(await ids("by_date"), [2, 3]);
    assert.equal(result.rowsWritten, 2);
    assert.deepEqual(result.warnings, []);
  });

  it("compares a timestamptz column with the window's instants (non-UTC zone, DST day, session zone irrelevant)", async () => {
    const result = await run("by_ts", { window: newYorkDstDay, timeColumn: "ts" });
    assert.deepEqual(await ids("by_ts"), [2, 3]);
    const insert = result.statements.find((s) => s.startsWith("insert"));
    assert.match(insert ?? "", /"ts" >= \$1::timestamptz and "almanac_model"\."ts" < \$2::timestamptz/);
    assert.ok(!insert?.includes("2024"), "bounds are bind parameters, not SQL text");
  });

  it("compares a timestamp without time zone column with local wall-clock bounds", async () => {
    await run("by_local", { window: newYorkDstDay, timeColumn: "local_ts" });
    assert.deepEqual(await ids("by_local"), [2, 3]);
  });

  it("writes everything on a first run without a window", async () => {
    await run("unpartitioned", {});
    assert.deepEqual(await ids("unpartitioned"), [1, 2, 3, 4, 5]);
  });

  it("refuses a time column that is not a date or timestamp, naming it and its type, and creates nothing", async () => {
    await assert.rejects(run("by_amount", { window: utcDay("2024-03-10"), timeColumn: "amount" }), (error: unknown) => {
      assert.ok(isAlmanacError(error));
      assert.equal(error.code, "ALMANAC_BAD_MODEL_CONFIG");
      assert.match(error.message, /"amount"/);
      assert.match(error.message, /integer/);
      return true;
    });
    assert.deepEqual(await rowsOf(wh.client, "select to_regclass('analytics.by_amount') as r"), [{ r: null }]);
  });

  it("refuses a time column the model does not output", async () => {
    await assert.rejects(
      run("by_missing", { window: utcDay("2024-03-10"), timeColumn: "event_at" }),
      (error: unknown) =>
        isAlmanacError(error) && error.code === "ALMANAC_BAD_MODEL_CONFIG" && /event_at/.test(error.message),
    );
  });

  it("without a time column writes everything and warns that vanished rows cannot be removed", async () => {
    const result = await run("no_time_column", { window: utcDay("2024-03-10") });
    assert.deepEqual(await ids("no_time_column"), [1, 2, 3, 4, 5]);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] ?? "", /no time column/);
    assert.match(result.warnings[0] ?? "", /cannot remove rows that vanished/);
    assert.match(result.warnings[0] ?? "", /event_time/);
    assert.match(result.warnings[0] ?? "", /unique_key/);
  });

  it("lets first runs of different partitions race without a DDL error", async () => {
    const days = ["2024-03-09", "2024-03-10", "2024-03-11", "2024-03-12"];
    const clients = await Promise.all(days.map(() => wh.connect()));
    const results = await Promise.all(
      days.map((day, i) => {
        const client = clients[i];
        assert.ok(client);
        return inTransaction(client, () =>
          materialize(client, {
            relation: { schema: "fresh_schema", identifier: "race" },
            sql: "select id, day, amount from src.events",
            materialized: "incremental",
            window: utcDay(day),
            timeColumn: "day",
          }),
        );
      }),
    );
    const rows = await rowsOf<{ id: number }>(wh.client, "select id from fresh_schema.race order by id");
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2, 3, 4, 5],
    );
    const creators = results.filter((r) =>
      r.statements.some((s) => s.startsWith('create table "fresh_schema"."race"')),
    );
    assert.equal(creators.length, 1, "exactly one run created the table; the others took the incremental path");
  });
});
