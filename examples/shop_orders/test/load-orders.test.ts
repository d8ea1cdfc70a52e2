import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { dropOrdersDay, generateOrders } from "../scripts/load-orders.js";
import { generateDayOrderLines } from "../scripts/order-generator.js";

describe("generateOrders against Postgres", () => {
  let database: TestDatabase;
  let client: pg.Client;

  before(async () => {
    database = await createTestDatabase({ template: "empty" });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Berlin days must not depend on the session's zone.
    await client.query("set timezone = 'America/New_York'");
  });

  after(async () => {
    await client?.end();
    await database?.drop();
  });

  async function linesPerBerlinDay(): Promise<Record<string, number>> {
    const { rows } = await client.query<{ day: string; lines: number }>(
      `select to_char((ordered_at at time zone 'Europe/Berlin')::date, 'YYYY-MM-DD') as day, count(*)::int as lines
       from shop.order_lines group by 1 order by 1`,
    );
    return Object.fromEntries(rows.map((row) => [row.day, row.lines]));
  }

  async function tableMd5(): Promise<string> {
    const { rows } = await client.query<{ md5: string }>(
      "select md5(string_agg(t::text, E'\\n' order by order_id, line_no)) as md5 from shop.order_lines t",
    );
    return rows[0]?.md5 ?? "";
  }

  // Around the spring DST switch: the middle day is 23 hours long.
  const days = ["2024-03-30", "2024-03-31", "2024-04-01"];
  const options = { from: "2024-03-30", to: "2024-04-01", ordersPerDay: 200, seed: 42 };
  const expected = Object.fromEntries(days.map((day) => [day, generateDayOrderLines({ day, orders: 200 }).length]));

  it("loads each Berlin day's lines onto that Berlin day", async () => {
    const result = await generateOrders({ databaseUrl: database.url, ...options });
    assert.equal(result.days, 3);
    assert.deepEqual(await linesPerBerlinDay(), expected);
  });

  it("replaces a re-generated day with byte-identical rows", async () => {
    const before = await tableMd5();
    await generateOrders({ databaseUrl: database.url, ...options, from: "2024-03-31", to: "2024-03-31" });
    assert.equal(await tableMd5(), before);
  });

  it("drops one Berlin day's lines and nothing else", async () => {
    assert.equal(await dropOrdersDay(database.url, "2024-03-31"), expected["2024-03-31"]);
    const { "2024-03-31": _dropped, ...rest } = expected;
    assert.deepEqual(await linesPerBerlinDay(), rest);
  });
});
