import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { genericTestName, loadProject, renderDataTest, type Target } from "@almanac/project";
import { fixtureVariant } from "./fixtures.js";

const jaffleShop = fileURLToPath(new URL("../../../examples/jaffle_shop", import.meta.url));
const target: Target = { name: "dev", schema: "analytics", type: "postgres" };

describe("dbt tests as checks: what the loader finds", () => {
  it("generic tests from schema.yml and singular tests, each on the asset that runs it", async () => {
    const project = await loadProject(jaffleShop);
    assert.deepEqual(
      project.tests.map((t) => `${t.asset} ${t.name} ${t.severity}`),
      [
        "customers unique_customers_customer_id error",
        "customers not_null_customers_customer_id error",
        "orders unique_orders_order_id error",
        "orders not_null_orders_order_id error",
        "orders not_null_orders_customer_id error",
        // customers reads orders, so the relationship is checked once customers exists.
        "customers relationships_orders_customer_id__customer_id__ref_customers_ error",
        "orders accepted_values_orders_status__placed__shipped__completed__return_pending__returned error",
        "orders_daily unique_orders_daily_order_date error",
        "orders_daily not_null_orders_daily_order_date error",
        "orders_daily not_null_orders_daily_revenue warn",
        // refs orders_daily and orders: it runs with the downstream one.
        "orders_daily assert_orders_daily_counts_orders error",
        "orders assert_total_payment_amount_is_positive error",
      ],
    );
    assert.deepEqual(project.warnings, []);
  });

  it("renders dbt's generic test queries, on the model or on a partition's scoped view", async () => {
    const project = await loadProject(jaffleShop);
    const test = (name: string) => {
      const found = project.tests.find((t) => t.name === name);
      assert.ok(found, name);
      return found;
    };
    assert.equal(
      renderDataTest(project, test("not_null_orders_daily_revenue"), { target }),
      'select * from "analytics"."orders_daily" where revenue is null',
    );
    assert.equal(
      renderDataTest(project, test("unique_orders_daily_order_date"), {
        target,
        scoped: { schema: "pg_temp", identifier: "almanac_check_scope" },
      }),
      'select order_date as unique_field, count(*) as n_records from "pg_temp"."almanac_check_scope"\nwhere order_date is not null group by order_date having count(*) > 1',
    );
    assert.match(
      renderDataTest(project, test("assert_orders_daily_counts_orders"), {
        target,
        scoped: { schema: "pg_temp", identifier: "almanac_check_scope" },
      }),
      /from "pg_temp"\."almanac_check_scope" as daily\nleft join \(\n {4}select order_date, count\(\*\) as orders from "analytics"\."orders" group by 1/,
    );
  });

  it("tests Almanac cannot run are warnings, never half-run; config(severity) in a singular test counts", async () => {
    const variant = await fixtureVariant("dbt-style", {});
    try {
      const files = {
        "models/staging/props.yml": [
          "version: 2",
          "models:",
          "  - name: stg_payments",
          "    columns:",
          "      - name: payment_id",
          "        tests:",
          "          - dbt_utils.not_constant",
          '          - unique: {config: {severity: warn, where: "amount > 0"}}',
        ].join("\n"),
        "tests/no_refunds.sql":
          "{{ config(severity='warn') }}\nselect * from {{ ref('stg_payments') }} where amount < 0",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(variant.dir, path)), { recursive: true });
        await writeFile(join(variant.dir, path), text);
      }
      const project = await loadProject(variant.dir);
      assert.deepEqual(
        project.tests.map((t) => [t.name, t.severity, t.where ?? null]),
        [
          ["unique_stg_payments_payment_id", "warn", "amount > 0"],
          ["no_refunds", "warn", null],
        ],
      );
      assert.deepEqual(project.warnings, [
        "models/staging/props.yml: test dbt_utils.not_constant on stg_payments.payment_id: no test macro dbt_utils.not_constant is defined (in the project or an installed package): skipped",
      ]);
    } finally {
      await variant.remove();
    }
  });

  it("renders Jinja in a test's config as dbt does (enabled, severity from target) and keeps names that clean alike apart", async () => {
    const variant = await fixtureVariant("dbt-style", {});
    try {
      await writeFile(
        join(variant.dir, "models/staging/props.yml"),
        [
          "version: 2",
          "models:",
          "  - name: stg_payments",
          "    columns:",
          "      - name: payment_id",
          "        tests:",
          // Enabled on postgres only, and off on it: as dbt_expectations gates adapter-specific tests.
          "          - accepted_values: {values: ['@'], config: {enabled: \"{{ target.type not in ['bigquery'] }}\"}}",
          "          - accepted_values: {values: ['@[^.]*'], enabled: \"{{ target.type == 'bigquery' }}\"}",
          "          - accepted_values: {values: ['@.'], severity: \"{{ 'warn' if target.type == 'postgres' else 'error' }}\"}",
        ].join("\n"),
      );
      const project = await loadProject(variant.dir, { target });
      // '@', '@[^.]*' and '@.' all clean to `_`: the second of a name gets its arguments' md5.
      assert.deepEqual(
        project.tests.filter((t) => t.model === "stg_payments").map((t) => [t.name, t.severity]),
        [
          ["accepted_values_stg_payments_payment_id___", "error"],
          ["accepted_values_stg_payments_payment_id____18d06f6a10", "warn"],
        ],
      );
    } finally {
      await variant.remove();
    }
  });

  it("a bad warn_if, limit or severity is an error naming the file and the test; a missing macro is a warning", async () => {
    const cases: [string, RegExp][] = [
      [
        '{warn_if: "lots"}',
        /props\.yml: test unique on stg_payments\.payment_id: warn_if must compare with a number, like "> 10" or "!= 0", got "lots"/,
      ],
      ["{config: {limit: -1}}", /limit must be a positive whole number, got -1/],
      ["{severity: fatal}", /severity must be warn or error, got "fatal"/],
    ];
    for (const [settings, message] of cases) {
      const variant = await fixtureVariant("dbt-style", {});
      try {
        const yml = ["version: 2", "models:", "  - name: stg_payments", "    columns:", "      - name: payment_id"];
        await writeFile(
          join(variant.dir, "models/staging/props.yml"),
          [...yml, "        tests:", `          - unique: ${settings}`].join("\n"),
        );
        await assert.rejects(loadProject(variant.dir), (error: Error & { code?: string }) => {
          assert.equal(error.code, "ALMANAC_BAD_PROJECT_CONFIG");
          assert.match(error.message, message);
          return true;
        });
      } finally {
        await variant.remove();
      }
    }
  });

  it("names generic tests as dbt does: type, model, then argument values in name order", async () => {
    assert.equal(genericTestName("unique", "orders", { column_name: "order_id" }), "unique_orders_order_id");
    assert.equal(
      genericTestName("dbt_utils.expression_is_true", "orders", { expression: "order_total - tax_paid = subtotal" }),
      "dbt_utils_expression_is_true_orders_order_total_tax_paid_subtotal",
    );
    assert.equal(
      genericTestName("relationships", "orders", { column_name: "customer_id", to: "ref('customers')", field: "id" }),
      "relationships_orders_customer_id__id__ref_customers_",
    );
  });
});
