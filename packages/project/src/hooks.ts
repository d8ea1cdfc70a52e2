import { AlmanacError } from "@almanac/errors";

/**
 * dbt hooks as written: `pre-hook` / `post-hook` (dbt_project.yml) or `pre_hook` / `post_hook`
 * (`config()`, properties yml), each a SQL string, a `{sql: …, transaction: true}` dict, or a
 * list of those. Almanac keeps them under the underscore key as a list of unrendered SQL
 * strings; they are rendered in the step, where `this` is the model.
 */
export type HookKey = "pre_hook" | "post_hook";

const hookAliases: Readonly<Record<string, HookKey>> = {
  "pre-hook": "pre_hook",
  pre_hook: "pre_hook",
  "post-hook": "post_hook",
  post_hook: "post_hook",
};

/** The canonical key of a hook config key (`pre-hook` → `pre_hook`), or undefined for other keys. */
export function hookKeyOf(key: string): HookKey | undefined {
  return hookAliases[key];
}

/** The label dbt users know a hook by: `pre-hook` / `post-hook`. */
export function hookLabel(key: HookKey): string {
  return key === "pre_hook" ? "pre-hook" : "post-hook";
}

/**
 * What identifies a hook when levels accumulate: its SQL. The same hook reached twice (a model's
 * `config()` is seen at load and again at render) is kept once.
 */
export function hookIdentity(item: unknown): unknown {
  return typeof item === "object" && item !== null && "sql" in item ? (item as { sql: unknown }).sql : item;
}

/**
 * Checks the hooks of `key` as merged (every level's, folders first) and returns their SQL,
 * unrendered. A `{sql, transaction: false}` hook is refused: Almanac writes a partition and its
 * status in one transaction, and a statement outside it would run again when a step is retried
 * or would commit while the partition's write rolls back.
 *
 * @throws AlmanacError ALMANAC_BAD_MODEL_CONFIG naming `file` and the hook
 */
export function resolveHooks(file: string, key: HookKey, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => hookSql(file, `${hookLabel(key)} ${i + 1}`, item));
}

/**
 * dbt_project.yml `on-run-start` / `on-run-end`: a SQL string or a list of them, unrendered.
 *
 * @throws AlmanacError ALMANAC_BAD_PROJECT_CONFIG naming the key
 */
export function resolveRunHooks(file: string, key: "on-run-start" | "on-run-end", value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (typeof item === "string") return item;
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `${file}: ${key}[${i}] must be a SQL string, got ${JSON.stringify(item)}`,
      { file, key },
    );
  });
}

function hookSql(file: string, label: string, item: unknown): string {
  if (typeof item === "string") return item;
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    const { sql, transaction, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (typeof sql === "string" && (transaction === undefined || transaction === true) && extra.length === 0) {
      return sql;
    }
    if (transaction === false) {
      throw new AlmanacError(
        "ALMANAC_BAD_MODEL_CONFIG",
        `${file}: ${label} has transaction: false, which Almanac does not run: every hook runs inside the step's transaction (with the partition's write and status), so remove transaction: false or move the statement to on-run-start / on-run-end`,
        { file, hook: label },
      );
    }
  }
  throw new AlmanacError(
    "ALMANAC_BAD_MODEL_CONFIG",
    `${file}: ${label} must be a SQL string or {sql: "…", transaction: true}, got ${JSON.stringify(item)}`,
    { file, hook: label },
  );
}
