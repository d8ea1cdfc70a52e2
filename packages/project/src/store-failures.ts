import { createHash } from "node:crypto";
import { AlmanacError } from "@almanac/errors";
import type { DataTest } from "./data-tests.js";
import { relationFor } from "./relation.js";
import { compiledEnvironment } from "./render-model.js";
import type { Project, Relation, Target } from "./types.js";

/** dbt's `store_failures_as`: where a test's failing rows go; `ephemeral` keeps them nowhere. */
export type StoreFailuresAs = "table" | "view" | "ephemeral";

const storeFailuresAsValues: readonly StoreFailuresAs[] = ["table", "view", "ephemeral"];

/** dbt's custom schema for stored failures: `<target schema>_dbt_test__audit` by default. */
export const auditSchema = "dbt_test__audit";

/**
 * `store_failures`, `store_failures_as`, `schema` and `alias` from a test's config (its yml
 * entry, or a `config()` call in its file or macro), checked: only what is set. As in dbt,
 * `store_failures_as` wins over `store_failures`; `store_failures: false` is `ephemeral`, so a
 * yml `false` overrides a macro's `config(store_failures=true)`.
 */
export function storeFailuresSettingsOf(
  config: Readonly<Record<string, unknown>>,
  where: string,
): Pick<DataTest, "storeFailuresAs" | "schema" | "alias"> {
  const fail = (message: string) => new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${where}: ${message}`);
  const as = storeFailuresAsOf(config, fail);
  const text = (key: "schema" | "alias") => {
    const value = config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    throw fail(`${key} must be a name, got ${JSON.stringify(value)}`);
  };
  const schema = text("schema");
  const alias = text("alias");
  return {
    ...(as === undefined ? {} : { storeFailuresAs: as }),
    ...(schema === undefined ? {} : { schema }),
    ...(alias === undefined ? {} : { alias }),
  };
}

function storeFailuresAsOf(
  config: Readonly<Record<string, unknown>>,
  fail: (message: string) => AlmanacError,
): StoreFailuresAs | undefined {
  const as = config.store_failures_as;
  if (as !== undefined && as !== null) {
    const value = typeof as === "string" ? as.trim().toLowerCase() : as;
    if (storeFailuresAsValues.includes(value as StoreFailuresAs)) return value as StoreFailuresAs;
    throw fail(`store_failures_as must be one of ${storeFailuresAsValues.join(", ")}, got ${JSON.stringify(as)}`);
  }
  const store = config.store_failures;
  if (store === undefined || store === null) return undefined;
  // Jinja in a config value renders to text: `store_failures: "{{ target.name == 'ci' }}"`.
  const flag = typeof store === "string" ? store.trim().toLowerCase() : store;
  if (flag === true || flag === "true") return "table";
  if (flag === false || flag === "false") return "ephemeral";
  throw fail(`store_failures must be true or false, got ${JSON.stringify(store)}`);
}

/**
 * The relation dbt names for a generic test whose name is 64 characters or more (it names the
 * test's file and table): the first 30 characters of `<test type>_<model>` and an md5 of the
 * whole name (dbt's `synthesize_generic_test_names`). Shorter names are their own alias.
 */
export function shortTestName(identifier: string, fullName: string): string {
  if (fullName.length < 64) return fullName;
  return `${identifier.slice(0, 30)}_${createHash("md5").update(fullName).digest("hex")}`;
}

/**
 * Where `test` stores its failing rows under `target`: its `schema` (default `dbt_test__audit`)
 * through the project's `generate_schema_name`, so `<target schema>_dbt_test__audit` by
 * default, and its `alias` (default its dbt short name, see {@link shortTestName}).
 */
export function failuresRelationOf(project: Project, test: DataTest, target: Target): Relation {
  const config = { schema: test.schema ?? auditSchema, alias: test.alias ?? test.shortName ?? test.name };
  return relationFor(target, test.name, config, compiledEnvironment(project).schemaNamer);
}
