import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  assetPartitionStatuses,
  type EngineContext,
  loadSeeds,
  materializeSelection,
  testSelection,
} from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { listCheckResults, storeDb } from "@almanac/store";
import {
  copyProject,
  createTestDatabase,
  editFile,
  examplesDir,
  symmetricDifference,
  type TestDatabase,
} from "@almanac/testing";
import pg from "pg";

const projectDir = path.join(examplesDir, "jaffle_shop");
const now = new Date("2024-06-01T00:00:00Z");

/** Hand-written SQL over the raw seeds, for each model: what dbt's jaffle_shop computes. */
const handWritten = {
  orders: `
    select o.id as order_id, o.user_id as customer_id, o.order_date, o.status,
           coalesce(sum(p.amount) filter (where p.payment_method = 'bank_transfer'), 0) / 100.0 as bank_transfer_amount,
           coalesce(sum(p.amount) filter (where p.payment_method = 'coupon'), 0) / 100.0 as coupon_amount,
           coalesce(sum(p.amount) filter (where p.payment_method = 'credit_card'), 0) / 100.0 as credit_card_amount,
           coalesce(sum(p.amount) filter (where p.payment_method = 'gift_card'), 0) / 100.0 as gift_card_amount,
           coalesce(sum(p.amount), 0) / 100.0 as amount
      from public.raw_orders o left join public.raw_payments p on p.order_id = o.id
     group by o.id, o.user_id, o.order_date, o.status`,
  customers: `
    select c.id as customer_id, c.first_name, c.last_name,
           min(o.order_date) as first_order, max(o.order_date) as most_recent_order,
           count(o.id) as number_of_orders,
           (select sum(coalesce(p.amount, 0)) / 100.0
              from public.raw_orders o2 left join public.raw_payments p on p.order_id = o2.id
             where o2.user_id = c.id) as customer_lifetime_value
      from public.raw_customers c left join public.raw_orders o on o.user_id = c.id
     group by c.id, c.first_name, c.last_name`,
  ordersDaily: (from: string, to: string) => `
    select o.order_date, count(*) as orders, count(*) filter (where o.status = 'returned') as returned_orders,
           sum(coalesce(t.total, 0)) / 100.0 as revenue,
           sum(count(*)) over (order by o.order_date) as cumulative_orders
      from public.raw_orders o
      left join (select order_id, sum(amount) as total from public.raw_payments group by 1) t on t.order_id = o.id
     where o.order_date between '${from}' and '${to}'
     group by o.order_date`,
};

describe("the jaffle_shop example, as dbt users write it", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let ctx: EngineContext;

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on("error", () => undefined);
    ctx = {
      project: await loadProject(projectDir),
      target: { name: "dev", schema: "public", type: "postgres" },
      warehouse: pool,
      store: pool,
      sharedTransaction: true,
    };
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it("seeds load with inferred types, and column_types wins where set", async () => {
    const reports = await loadSeeds(ctx, []);
    assert.deepEqual(
      reports.map((r) => [r.name, r.rows, r.mode]),
      [
        ["raw_customers", 100, "created"],
        ["raw_orders", 368, "created"],
        ["raw_payments", 416, "created"],
      ],
    );
    const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' and table_name like 'raw\\_%' order by table_name, ordinal_position`,
    );
    assert.deepEqual(
      rows.map((r) => `${r.table_name}.${r.column_name} ${r.data_type}`),
      [
        "raw_customers.id integer",
        "raw_customers.first_name text",
        "raw_customers.last_name text",
        "raw_orders.id integer",
        "raw_orders.user_id integer",
        "raw_orders.order_date date",
        "raw_orders.status text",
        "raw_payments.id integer",
        "raw_payments.order_id integer",
        "raw_payments.payment_method text",
        "raw_payments.amount bigint",
      ],
    );
    const csv = await readFile(path.join(projectDir, "seeds/raw_payments.csv"), "utf8");
    const { rows: sums } = await pool.query<{ total: string }>(
      "select sum(amount)::text as total from public.raw_payments",
    );
    const expected = csv
      .trim()
      .split("\n")
      .slice(1)
      .reduce((total, line) => total + Number(line.split(",")[3]), 0);
    assert.equal(sums[0]?.total, String(expected));
  });

  it("seeding again refills the same tables in place, so views on them keep working", async () => {
    await pool.query("create view public.raw_orders_count as select count(*) as n from public.raw_orders");
    // `+stg_orders` selects the seeds stg_orders reads: raw_orders.
    const reports = await loadSeeds(ctx, ["+stg_orders"]);
    assert.deepEqual(
      reports.map((r) => [r.name, r.mode]),
      [["raw_orders", "reloaded"]],
    );
    assert.deepEqual((await pool.query("select n::int from public.raw_orders_count")).rows, [{ n: 368 }]);
    await pool.query("drop view public.raw_orders_count");
  });

  it("a bad seed file is refused with file:line and changes no table", async () => {
    const dir = await copyProject("jaffle_shop");
    try {
      await editFile(path.join(dir, "seeds/raw_customers.csv"), "\n3,", "\n3,extra,");
      const variant = { ...ctx, project: await loadProject(dir) };
      await assert.rejects(loadSeeds(variant, []), {
        code: "ALMANAC_BAD_SEED",
        message: "seeds/raw_customers.csv:4: 4 fields, but the header names 3 columns",
      });
      // A value that does not fit its configured type fails in the database: all seeds roll back.
      await editFile(path.join(dir, "seeds/raw_customers.csv"), "\n3,extra,", "\n3,");
      await editFile(path.join(dir, "seeds/raw_payments.csv"), "\n1,1,bank_transfer,2500", "\n1,1,bank_transfer,lots");
      await assert.rejects(loadSeeds({ ...ctx, project: await loadProject(dir) }, []), (error: Error) => {
        assert.equal((error as { code?: string }).code, "ALMANAC_BAD_SEED");
        assert.match(error.message, /^seeds\/raw_payments\.csv: invalid input syntax for type bigint: "lots"/);
        return true;
      });
      const { rows } = await pool.query("select count(*)::int as n from public.raw_payments");
      assert.deepEqual(rows, [{ n: 416 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("materializes January; every table equals hand-written SQL over the seeds", async () => {
    const result = await materializeSelection(
      ctx,
      { select: "+orders_daily +customers", from: "2024-01-01", to: "2024-01-31" },
      { now },
    );
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps.filter((s) => s.status !== "succeeded")));
    // The pivot's columns came from run_query over the payments, one per method, in order.
    const { rows: columns } = await pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'orders'
        order by ordinal_position`,
    );
    assert.deepEqual(
      columns.map((c) => c.column_name),
      [
        "order_id",
        "customer_id",
        "order_date",
        "status",
        "bank_transfer_amount",
        "coupon_amount",
        "credit_card_amount",
        "gift_card_amount",
        "amount",
      ],
    );
    assert.deepEqual(await symmetricDifference(pool, "select * from public.orders", handWritten.orders), []);
    assert.deepEqual(await symmetricDifference(pool, "select * from public.customers", handWritten.customers), []);
    assert.deepEqual(
      await symmetricDifference(
        pool,
        "select * from public.orders_daily",
        handWritten.ordersDaily("2024-01-01", "2024-01-31"),
      ),
      [],
    );
  });

  it("February runs incrementally on {{ this }}: cumulative orders carry on from January", async () => {
    const result = await materializeSelection(
      ctx,
      { select: "orders_daily", from: "2024-02-01", to: "2024-02-29" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    assert.deepEqual(
      await symmetricDifference(
        pool,
        "select * from public.orders_daily",
        handWritten.ordersDaily("2024-01-01", "2024-02-29"),
      ),
      [],
    );
    // Re-running one day gives the same table.
    const again = await materializeSelection(ctx, { select: "orders_daily", partition: "2024-02-10" }, { now });
    assert.equal(again.status, "succeeded");
    assert.deepEqual(
      await symmetricDifference(
        pool,
        "select * from public.orders_daily",
        handWritten.ordersDaily("2024-01-01", "2024-02-29"),
      ),
      [],
    );
  });

  it("schema.yml and tests/*.sql ran as checks after each partition, each scoped to its day", async () => {
    const db = storeDb(pool);
    const { rows } = await pool.query<{ check_name: string; partitions: number; statuses: string[] }>(
      `select check_name, count(*)::int as partitions, array_agg(distinct status) as statuses
         from almanac.asset_checks where asset_key = 'orders_daily' group by 1 order by 1`,
    );
    assert.deepEqual(rows, [
      { check_name: "assert_orders_daily_counts_orders", partitions: 60, statuses: ["passed"] },
      { check_name: "not_null_orders_daily_order_date", partitions: 60, statuses: ["passed"] },
      { check_name: "not_null_orders_daily_revenue", partitions: 60, statuses: ["passed"] },
      { check_name: "unique_orders_daily_order_date", partitions: 60, statuses: ["passed"] },
    ]);
    const orders = await listCheckResults(db, { assetKey: "orders" });
    assert.deepEqual(
      orders.map((c) => [c.partitionKey, c.checkName, c.status]),
      [
        ["", "accepted_values_orders_status__placed__shipped__completed__return_pending__returned", "passed"],
        ["", "assert_total_payment_amount_is_positive", "passed"],
        ["", "not_null_orders_customer_id", "passed"],
        ["", "not_null_orders_order_id", "passed"],
        ["", "unique_orders_order_id", "passed"],
      ],
    );
    // customers is built from orders, so the orders -> customers relationship runs after customers.
    const customers = await listCheckResults(db, { assetKey: "customers" });
    assert.deepEqual(
      customers.map((c) => [c.partitionKey, c.checkName, c.status]),
      [
        ["", "not_null_customers_customer_id", "passed"],
        ["", "relationships_orders_customer_id__customer_id__ref_customers_", "passed"],
        ["", "unique_customers_customer_id", "passed"],
      ],
    );
    const statuses = await assetPartitionStatuses(db, ctx.project, ctx.target, "orders_daily", {
      from: "2024-02-28",
      to: "2024-03-01",
      now,
    });
    assert.deepEqual(
      statuses.map((p) => [p.key, p.status, p.checks]),
      [
        ["2024-02-28", "materialized", "passed"],
        ["2024-02-29", "materialized", "passed"],
        ["2024-03-01", "missing", null],
      ],
    );
  });

  it("almanac test finds a duplicated day and a null revenue, on those partitions only", async () => {
    await pool.query(
      `insert into public.orders_daily select * from public.orders_daily where order_date = '2024-02-03';
       update public.orders_daily set revenue = null where order_date = '2024-02-05'`,
    );
    const tested = await testSelection(ctx, "orders_daily", { from: "2024-02-01", to: "2024-02-07", now });
    const notPassed = tested.flatMap((asset) =>
      asset.outcomes
        .filter((o) => o.status !== "passed")
        .map((o) => [o.partitionKey, o.checkName, o.status, o.failures]),
    );
    assert.deepEqual(notPassed, [
      ["2024-02-03", "unique_orders_daily_order_date", "failed", 1],
      ["2024-02-05", "not_null_orders_daily_revenue", "warned", 1],
    ]);
    const statuses = await assetPartitionStatuses(storeDb(pool), ctx.project, ctx.target, "orders_daily", {
      from: "2024-02-02",
      to: "2024-02-05",
      now,
    });
    assert.deepEqual(
      statuses.map((p) => [p.key, p.checks]),
      [
        ["2024-02-02", "passed"],
        ["2024-02-03", "failed"],
        ["2024-02-04", "passed"],
        ["2024-02-05", "warned"],
      ],
    );
    // Re-materializing the day puts it right, and its checks pass again.
    await materializeSelection(ctx, { select: "orders_daily", from: "2024-02-03", to: "2024-02-05" }, { now });
    const fixed = await assetPartitionStatuses(storeDb(pool), ctx.project, ctx.target, "orders_daily", {
      from: "2024-02-03",
      to: "2024-02-05",
      now,
    });
    assert.deepEqual(
      fixed.map((p) => p.checks),
      ["passed", "passed", "passed"],
    );
  });
});
