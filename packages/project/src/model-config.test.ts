import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeConfig, resolveModelConfig } from "./model-config.js";

describe("mergeConfig", () => {
  it("nearer config replaces plain keys", () => {
    assert.deepEqual(mergeConfig({ materialized: "view", schema: "a" }, { materialized: "table" }), {
      materialized: "table",
      schema: "a",
    });
  });
  it("accumulates tags (string or list) without duplicates", () => {
    const folder = mergeConfig({ tags: ["taxi"] }, { tags: "staging" });
    assert.deepEqual(mergeConfig(folder, { tags: ["staging", "daily"] }).tags, ["taxi", "staging", "daily"]);
  });
  it("merges meta key by key and appends hooks", () => {
    const merged = mergeConfig(
      { meta: { owner: "a", tier: 1 }, "post-hook": "grant" },
      { meta: { tier: 2 }, "post-hook": ["analyze"] },
    );
    assert.deepEqual(merged, { meta: { owner: "a", tier: 2 }, post_hook: ["grant", "analyze"] });
  });

  it("keeps pre-hook and pre_hook as one list, outer level first, each hook once", () => {
    const folders = mergeConfig({ "pre-hook": "a" }, { "pre-hook": ["b"] });
    const merged = mergeConfig(folders, { pre_hook: [{ sql: "c", transaction: true }, "a"] });
    assert.deepEqual(merged, { pre_hook: ["a", "b", { sql: "c", transaction: true }] });
    assert.deepEqual(resolveModelConfig("models/m.sql", merged).pre_hook, ["a", "b", "c"]);
  });
  it("ignores undefined values", () => {
    assert.deepEqual(mergeConfig({ alias: "x" }, { alias: undefined }), { alias: "x" });
  });
});

describe("resolveModelConfig", () => {
  it("fills dbt's defaults and keeps keys it does not interpret", () => {
    assert.deepEqual(resolveModelConfig("models/a.sql", { docs: { show: false } }), {
      docs: { show: false },
      materialized: "view",
      tags: [],
      on_schema_change: "ignore",
      enabled: true,
    });
  });
  it("keeps known optional keys", () => {
    const config = resolveModelConfig("models/a.sql", {
      materialized: "incremental",
      unique_key: ["id", "day"],
      incremental_strategy: "delete+insert",
      event_time: "day",
      partitions: "daily",
      full_refresh: false,
      enabled: true,
    });
    assert.equal(config.incremental_strategy, "delete+insert");
    assert.deepEqual(config.unique_key, ["id", "day"]);
    assert.equal(config.full_refresh, false);
  });
  const invalid: [string, Record<string, unknown>, string][] = [
    [
      "materialized typo",
      { materialized: "tabel" },
      'models/a.sql: config materialized="tabel" is not one of view, table, incremental, ephemeral (did you mean "table"?)',
    ],
    ["enabled not a boolean", { enabled: "no" }, 'models/a.sql: config enabled="no" must be true or false'],
    ["tags not strings", { tags: [1] }, "models/a.sql: config tags=[1] must be a string or a list of strings"],
    [
      "unknown strategy",
      { incremental_strategy: "upsert" },
      'models/a.sql: config incremental_strategy="upsert" is not one of append, delete+insert, merge, window_overwrite, microbatch',
    ],
    [
      "on_schema_change",
      { on_schema_change: "sync" },
      'models/a.sql: config on_schema_change="sync" is not one of ignore, fail, append_new_columns, sync_all_columns',
    ],
    [
      "empty unique_key",
      { unique_key: [] },
      "models/a.sql: config unique_key=[] must be a column name or a list of column names",
    ],
  ];
  for (const [name, raw, message] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(() => resolveModelConfig("models/a.sql", raw), { code: "ALMANAC_BAD_MODEL_CONFIG", message });
    });
  }
});
