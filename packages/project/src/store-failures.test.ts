import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { shortTestName, storeFailuresSettingsOf } from "./store-failures.js";

const where = "models/schema.yml: test not_null on orders.id";

test("store_failures settings: store_failures_as wins, false is ephemeral, unset stays unset", () => {
  const cases: [Record<string, unknown>, ReturnType<typeof storeFailuresSettingsOf>][] = [
    [{}, {}],
    [{ store_failures: null }, {}],
    [{ store_failures: true }, { storeFailuresAs: "table" }],
    [{ store_failures: false }, { storeFailuresAs: "ephemeral" }],
    // Jinja in a config value renders to text.
    [{ store_failures: "True" }, { storeFailuresAs: "table" }],
    [{ store_failures_as: "view" }, { storeFailuresAs: "view" }],
    [{ store_failures: false, store_failures_as: "table" }, { storeFailuresAs: "table" }],
    [{ store_failures: true, store_failures_as: "ephemeral" }, { storeFailuresAs: "ephemeral" }],
    [
      { store_failures: true, schema: " audit ", alias: "order_nulls" },
      { storeFailuresAs: "table", schema: "audit", alias: "order_nulls" },
    ],
  ];
  for (const [config, expected] of cases) {
    assert.deepEqual(storeFailuresSettingsOf(config, where), expected, JSON.stringify(config));
  }
});

test("store_failures settings: a bad value names the file, the test and the key", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ store_failures_as: "banana" }, /store_failures_as must be one of table, view, ephemeral, got "banana"/],
    [{ store_failures: "yes" }, /store_failures must be true or false, got "yes"/],
    [{ store_failures: 1 }, /store_failures must be true or false, got 1/],
    [{ schema: "" }, /schema must be a name, got ""/],
    [{ alias: 7 }, /alias must be a name, got 7/],
  ];
  for (const [config, message] of cases) {
    assert.throws(() => storeFailuresSettingsOf(config, where), {
      code: "ALMANAC_BAD_PROJECT_CONFIG",
      message: new RegExp(`^${where.replaceAll(".", "\\.")}: ${message.source}`),
    });
  }
});

test("dbt's short test name: names of 64 characters or more become 30 characters and an md5", () => {
  const long = "accepted_values_orders_amount__10__20__50__150__1000__2000__3000";
  assert.equal(long.length, 64);
  const md5 = createHash("md5").update(long).digest("hex");
  const cases: [string, string, string][] = [
    ["not_null_orders", "not_null_orders_id", "not_null_orders_id"],
    ["accepted_values_orders", long.slice(0, 63), long.slice(0, 63)],
    ["accepted_values_orders", long, `accepted_values_orders_${md5}`],
    [
      "dbt_utils_expression_is_true_order_items",
      "dbt_utils_expression_is_true_order_items_price___0_and_quantity___0",
      `dbt_utils_expression_is_true_o_${createHash("md5").update("dbt_utils_expression_is_true_order_items_price___0_and_quantity___0").digest("hex")}`,
    ],
  ];
  for (const [identifier, fullName, expected] of cases) assert.equal(shortTestName(identifier, fullName), expected);
});
