import { AlmanacError } from "@almanac/errors";
import { didYouMean } from "./did-you-mean.js";
import { hookIdentity, hookKeyOf, resolveHooks } from "./hooks.js";
import type { IncrementalStrategy, Materialization, ModelConfig, OnSchemaChange } from "./types.js";

/** One level of config as written (folder `+keys`, properties yml `config:`, `config()` kwargs). */
export type ConfigLayer = Readonly<Record<string, unknown>>;

// `snapshot` is taken too but not offered: only `{% snapshot %}` blocks are snapshots (load refuses it on a model).
const materializations: readonly Materialization[] = ["view", "table", "incremental", "ephemeral"];
const incrementalStrategies: readonly IncrementalStrategy[] = [
  "append",
  "delete+insert",
  "merge",
  "window_overwrite",
  "microbatch",
];
const schemaChangePolicies: readonly OnSchemaChange[] = ["ignore", "fail", "append_new_columns", "sync_all_columns"];

// dbt merges some keys instead of letting the nearer level replace them: lists are appended
// (a folder tag and a model tag both apply) and dicts are updated key by key.
// Hooks are kept under one key (`pre-hook` and `pre_hook` are the same setting).
const appendedKeys = new Set(["tags", "pre_hook", "post_hook"]);
const updatedKeys = new Set(["meta", "grants", "docs", "persist_docs"]);

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Applies `layer` over `base` (nearer config wins) and returns a new object. Tags and hooks
 * accumulate without duplicates (outer levels first, as dbt runs hooks); `meta`-like dicts
 * merge; every other key is replaced. `pre-hook` / `post-hook` become `pre_hook` / `post_hook`.
 */
export function mergeConfig(base: ConfigLayer, layer: ConfigLayer): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) mergeKey(merged, hookKeyOf(key) ?? key, value);
  for (const [key, value] of Object.entries(layer)) mergeKey(merged, hookKeyOf(key) ?? key, value);
  return merged;
}

function mergeKey(merged: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return;
  if (appendedKeys.has(key)) {
    const items = asList(merged[key]);
    const seen = new Set(items.map(hookIdentity));
    for (const item of asList(value)) {
      if (seen.has(hookIdentity(item))) continue;
      seen.add(hookIdentity(item));
      items.push(item);
    }
    merged[key] = items;
  } else if (updatedKeys.has(key) && isPlainObject(merged[key]) && isPlainObject(value)) {
    merged[key] = { ...merged[key], ...value };
  } else {
    merged[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(
  file: string,
  key: string,
  value: unknown,
  expected: string,
  choices?: readonly string[],
): AlmanacError {
  const hint = choices && typeof value === "string" ? didYouMean(value, choices) : "";
  return new AlmanacError(
    "ALMANAC_BAD_MODEL_CONFIG",
    `${file}: config ${key}=${JSON.stringify(value)} ${expected}${hint}`,
    { file, key, value },
  );
}

function oneOf<T extends string>(file: string, key: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  throw invalid(file, key, value, `is not one of ${choices.join(", ")}`, choices);
}

function optionalText(file: string, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value.trim() !== "") return value;
  throw invalid(file, key, value, "must be a non-empty string");
}

function optionalFlag(file: string, key: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  throw invalid(file, key, value, "must be true or false");
}

function textList(file: string, key: string, value: unknown): string[] {
  const items = asList(value);
  if (items.every((item) => typeof item === "string" && item !== "")) return items as string[];
  throw invalid(file, key, value, "must be a string or a list of strings");
}

/**
 * Checks the merged config of the model at `file` and fills dbt's defaults (materialized
 * `view`, on_schema_change `ignore`, enabled `true`, tags `[]`). Keys Almanac does not
 * interpret are kept as written. Throws ALMANAC_BAD_MODEL_CONFIG naming the file and key.
 */
export function resolveModelConfig(file: string, raw: ConfigLayer): ModelConfig {
  const config: ModelConfig = {
    ...raw,
    materialized:
      raw.materialized === "snapshot"
        ? "snapshot"
        : (oneOf(file, "materialized", raw.materialized, materializations) ?? "view"),
    tags: textList(file, "tags", raw.tags),
    on_schema_change: oneOf(file, "on_schema_change", raw.on_schema_change, schemaChangePolicies) ?? "ignore",
    enabled: optionalFlag(file, "enabled", raw.enabled) ?? true,
  };
  const optional = {
    schema: optionalText(file, "schema", raw.schema),
    alias: optionalText(file, "alias", raw.alias),
    event_time: optionalText(file, "event_time", raw.event_time),
    partitions: optionalText(file, "partitions", raw.partitions),
    incremental_strategy: oneOf(file, "incremental_strategy", raw.incremental_strategy, incrementalStrategies),
    full_refresh: optionalFlag(file, "full_refresh", raw.full_refresh),
    unique_key: uniqueKey(file, raw.unique_key),
    pre_hook: nonEmpty(resolveHooks(file, "pre_hook", raw.pre_hook)),
    post_hook: nonEmpty(resolveHooks(file, "post_hook", raw.post_hook)),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }
  return config;
}

// Absent rather than `[]`, so a model without hooks keeps the config (and code version) it had.
function nonEmpty(items: string[]): string[] | undefined {
  return items.length === 0 ? undefined : items;
}

function uniqueKey(file: string, value: unknown): string | string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value.trim() !== "") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string" && item !== "")) {
    return value as string[];
  }
  throw invalid(file, "unique_key", value, "must be a column name or a list of column names");
}
