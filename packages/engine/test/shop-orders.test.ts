import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { examplesDir, symmetricDifference, tableFingerprint } from "@almanac/testing";
import { dropOrdersDay, generateOrders } from "../../../examples/shop_orders/scripts/load-orders.js";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

// The second example, in another shape: Europe/Berlin days (23 h on 2024-03-31), a timestamptz
// source, a two-column key with merge, delete+insert on a date key, single_run backfills.
const projectDir = path.join(examplesDir, "shop_orders");
const now = new Date("2024-06-01T00:00:00Z");
const linesOrder = "order_id, line_no";

describe("shop_orders example", () => {
  let f: EngineFixture;

  before(async () => {
    f = await engineFixture(projectDir);
    await generateOrders({ databaseUrl: f.database.url, from: "2024-03-24", to: "2024-04-08", ordersPerDay: 60 });
  });
  after(() => f.close());

  test("a backfill across the DST switch equals one plain SQL query over the range", async () => {
    const result = await materializeSelection(
      f.ctx,
      { select: "+revenue_by_day", from: "2024-03-25", to: "2024-04-07" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    // almanac.yml asks for single_run: one step per model over the whole range.
    assert.deepEqual(
      result.steps.map((s) => `${s.assetKey} ${s.partitionFrom ?? ""}..${s.partitionTo ?? ""}`),
      ["stg_order_lines ..", "order_lines_daily 2024-03-25..2024-04-07", "revenue_by_day 2024-03-25..2024-04-07"],
    );
    const check = (await readFile(path.join(projectDir, "analysis/revenue_by_day_check.sql"), "utf8")).replace(
      /order by order_date\s*$/,
      "",
    );
    assert.deepEqual(await symmetricDifference(f.pool, "select * from public.revenue_by_day", check), []);
  });

  test("the 23-hour Berlin day holds exactly the lines ordered on that local date", async () => {
    const [row] = await f.query<{ model: string; source: string }>(
      `select (select count(*) from public.order_lines_daily where order_date = '2024-03-31') as model,
              (select count(*) from shop.order_lines
                where ordered_at >= '2024-03-31T00:00:00+01:00' and ordered_at < '2024-04-01T00:00:00+02:00') as source`,
    );
    assert.ok(Number(row?.source) > 0);
    assert.equal(row?.model, row?.source);
    const outside = await f.query(
      "select 1 from public.order_lines_daily where order_date < '2024-03-25' or order_date > '2024-04-07'",
    );
    assert.deepEqual(outside, [], "nothing from the days around the range (both hold orders near midnight)");
  });

  test("re-running the DST day leaves both tables byte-identical", async () => {
    const lines = await tableFingerprint(f.pool, "public.order_lines_daily", linesOrder);
    const revenue = await tableFingerprint(f.pool, "public.revenue_by_day", "order_date");
    const result = await materializeSelection(f.ctx, { select: "tag:daily", partition: "2024-03-31" }, { now });
    assert.equal(result.status, "succeeded");
    assert.equal(await tableFingerprint(f.pool, "public.order_lines_daily", linesOrder), lines);
    assert.equal(await tableFingerprint(f.pool, "public.revenue_by_day", "order_date"), revenue);
  });

  test("merge on the two-column key updates changed lines without duplicating any", async () => {
    await f.query(
      `update shop.order_lines set quantity = quantity + 1
        where ordered_at >= '2024-04-03T00:00:00+02:00' and ordered_at < '2024-04-04T00:00:00+02:00'`,
    );
    await materializeSelection(f.ctx, { select: "tag:daily", partition: "2024-04-03" }, { now });
    const [dup] = await f.query<{ n: string; keys: string }>(
      "select count(*) as n, count(distinct (order_id, line_no)) as keys from public.order_lines_daily",
    );
    assert.equal(dup?.n, dup?.keys);
    const mismatched = await f.query(
      `select 1 from public.order_lines_daily d join shop.order_lines s using (order_id, line_no)
        where d.quantity <> s.quantity`,
    );
    assert.deepEqual(mismatched, []);
  });

  test("a day whose source rows vanished loses its rows in both models when re-run", async () => {
    await dropOrdersDay(f.database.url, "2024-04-02");
    const result = await materializeSelection(f.ctx, { select: "tag:daily", partition: "2024-04-02" }, { now });
    assert.equal(result.status, "succeeded");
    const left = await f.query(
      `select order_date from public.order_lines_daily where order_date = '2024-04-02'
       union all select order_date from public.revenue_by_day where order_date = '2024-04-02'`,
    );
    assert.deepEqual(left, []);
    const [days] = await f.query<{ n: string }>("select count(*) as n from public.revenue_by_day");
    assert.equal(days?.n, "13");
  });
});
