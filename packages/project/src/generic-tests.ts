import { createHash } from "node:crypto";
import { AlmanacError } from "@almanac/errors";
import {
  checkSettingsOf,
  type DataTest,
  type GenericTestKind,
  genericTestKinds,
  type ProjectTests,
} from "./data-tests.js";
import { isMapping } from "./jinja-compat/python-values.js";
import { shortTestName, storeFailuresSettingsOf } from "./store-failures.js";
import type { Model } from "./types.js";

/** A model or seed, as far as its tests go. */
export type TestedResource = Pick<Model, "name" | "columns" | "tests">;

/**
 * Keys of a test entry that configure the test rather than pass arguments to it (dbt's
 * CONFIG_ARGS): they never reach the test macro and never enter the test's name.
 */
const configKeys = new Set([
  "severity",
  "tags",
  "enabled",
  "where",
  "limit",
  "warn_if",
  "error_if",
  "fail_calc",
  "store_failures",
  "store_failures_as",
  "meta",
  "database",
  "schema",
  "alias",
  "config",
  "name",
  "description",
  "arguments",
]);

function entriesOf(holder: Readonly<Record<string, unknown>>): unknown[] {
  const entries: unknown[] = [];
  for (const key of ["tests", "data_tests"]) {
    const value = holder[key];
    if (Array.isArray(value)) entries.push(...value);
  }
  return entries;
}

/**
 * dbt's generated test name (`synthesize_generic_test_names`): the test type (`unique`,
 * `dbt_utils_expression_is_true`), the model, then the arguments' values in argument-name
 * order, each cleaned to `[0-9a-zA-Z_]`, joined by `__`. dbt shortens names longer than its
 * file-name limit with an md5; Almanac keeps the whole name, which is what dbt shows as the
 * test's unique id, and uses the short one where dbt does: for its stored failures.
 */
export function genericTestName(testType: string, model: string, args: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const name of Object.keys(args).sort()) {
    const value = args[name];
    const values = isMapping(value) ? Object.values(value) : Array.isArray(value) ? value : [value];
    parts.push(...values.map((part) => String(part).replace(/[^0-9a-zA-Z_]+/g, "_")));
  }
  return `${testIdentifier(testType, model)}_${parts.join("__")}`;
}

/** The head of a generic test's name: test type and model, as dbt keeps it when shortening. */
function testIdentifier(testType: string, model: string): string {
  return `${testType.replaceAll(".", "_")}_${model}`;
}

/** `ref('customers')` or `ref("customers")` as written in a test argument. */
export function refTarget(value: unknown): string | undefined {
  const match = typeof value === "string" ? /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/.exec(value) : null;
  return match?.[2];
}

type TestSettings = Pick<
  DataTest,
  "severity" | "where" | "failCalc" | "warnIf" | "errorIf" | "limit" | "storeFailuresAs" | "schema" | "alias"
> & {
  readonly enabled: boolean;
  readonly name?: string;
};

/**
 * A test's config: its `config:` block over the keys written beside its arguments. What is not
 * written stays unset, so a `config()` call in the test's macro can still set it (dbt's order).
 */
function settingsOf(
  where: string,
  entry: Readonly<Record<string, unknown>>,
  renderConfig: (config: Readonly<Record<string, unknown>>) => Record<string, unknown>,
): TestSettings {
  const written = { ...entry, ...(isMapping(entry.config) ? entry.config : {}) };
  // dbt renders a test's config values as it renders dbt_project.yml's: `severity: "{{ 'warn'
  // if … }}"`, `enabled: "{{ target.type != 'bigquery' }}"`. `where` is rendered with the test.
  const { where: whereWritten, ...rest } = written;
  const config: Record<string, unknown> = {
    ...renderConfig(Object.fromEntries(Object.entries(rest).filter(([key]) => configKeys.has(key)))),
    where: whereWritten,
  };
  const severity = String(config.severity ?? "error").toLowerCase();
  if (severity !== "warn" && severity !== "error") {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `${where}: severity must be warn or error, got ${JSON.stringify(config.severity)}`,
    );
  }
  const whereValue = config.where;
  return {
    severity,
    ...checkSettingsOf(config, where),
    ...storeFailuresSettingsOf(config, where),
    enabled: config.enabled !== false,
    ...(typeof whereValue === "string" && whereValue.trim() !== "" ? { where: whereValue } : {}),
    ...(typeof entry.name === "string" ? { name: entry.name } : {}),
  };
}

/** A test's arguments: dbt 1.10's `arguments:` block, or the keys beside its config. */
function argumentsOf(entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (isMapping(entry.arguments)) return { ...entry.arguments };
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !configKeys.has(key)));
}

/**
 * The generic tests of a model or seed: under each of its `columns:` and at the resource itself (`tests:`
 * or dbt 1.8's `data_tests:`). dbt's four built-in tests run as Almanac's own SQL; any other
 * name (`dbt_utils.expression_is_true`, a project's `{% test %}` block) runs its test macro,
 * which `hasMacro` says exists. `renderConfig` renders Jinja in config values (default: none). A test with no macro is a warning and is skipped, never half-run.
 */
export function genericTestsOf(
  model: TestedResource,
  propertiesFile: string,
  hasMacro: (name: string) => boolean,
  renderConfig: (config: Readonly<Record<string, unknown>>) => Record<string, unknown> = (config) => ({ ...config }),
): ProjectTests {
  const tests: DataTest[] = [];
  const warnings: string[] = [];
  const holders: { column?: string; entries: unknown[] }[] = [
    { entries: [...(model.tests ?? [])] },
    ...model.columns.map((column) => ({ column: column.name, entries: entriesOf(column) })),
  ];
  for (const { column, entries } of holders) {
    for (const entry of entries) {
      const [testType, rawArgs] =
        typeof entry === "string" ? [entry, {}] : isMapping(entry) ? (Object.entries(entry)[0] ?? ["", {}]) : ["", {}];
      const written = isMapping(rawArgs) ? rawArgs : {};
      const at = `${propertiesFile}: test ${testType} on ${column === undefined ? model.name : `${model.name}.${column}`}`;
      const settings = settingsOf(at, written, renderConfig);
      if (!settings.enabled) continue;
      const args = { ...argumentsOf(written), ...(column === undefined ? {} : { column_name: column }) };
      const builtIn = (genericTestKinds as readonly string[]).includes(testType);
      if (!builtIn && !hasMacro(testType)) {
        warnings.push(`${at}: no test macro ${testType} is defined (in the project or an installed package): skipped`);
        continue;
      }
      const test = builtInOrMacro(at, testType, builtIn, args);
      if (test === undefined) {
        warnings.push(`${at} needs to: ref('model') and field: (source() parents are not supported): skipped`);
        continue;
      }
      const { enabled: _, name, ...checkSettings } = settings;
      const testName = distinctName(name ?? genericTestName(testType, model.name, args), args, tests);
      // dbt shortens only the names it makes up; a test's own `name:` is its relation's name.
      const shortName = name === undefined ? shortTestName(testIdentifier(testType, model.name), testName) : testName;
      tests.push({
        ...test,
        ...checkSettings,
        name: testName,
        ...(shortName === testName ? {} : { shortName }),
        model: model.name,
        asset: model.name,
        path: propertiesFile,
      });
    }
  }
  return { tests, warnings };
}

/**
 * Cleaning arguments to `[0-9a-zA-Z_]` can give two tests one name (`regex: '@'` and
 * `regex: '@[^.]*'` both clean to `_`). dbt tells them apart by a hash in their unique id;
 * Almanac records checks by name, so the second gets its arguments' hash appended.
 */
function distinctName(name: string, args: Readonly<Record<string, unknown>>, earlier: readonly DataTest[]): string {
  const taken = new Set(earlier.map((test) => test.name));
  if (!taken.has(name)) return name;
  const hashed = `${name}_${createHash("md5").update(JSON.stringify(args)).digest("hex").slice(0, 10)}`;
  let candidate = hashed;
  for (let n = 2; taken.has(candidate); n++) candidate = `${hashed}_${n}`;
  return candidate;
}

type TestDefinition = Pick<DataTest, "kind" | "column" | "values" | "to" | "field" | "macro" | "args">;

function builtInOrMacro(
  at: string,
  testType: string,
  builtIn: boolean,
  args: Readonly<Record<string, unknown>>,
): TestDefinition | undefined {
  const column = typeof args.column_name === "string" ? args.column_name : undefined;
  if (!builtIn) return { kind: "macro", macro: testType, args, ...(column === undefined ? {} : { column }) };
  if (column === undefined) {
    throw new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${at}: ${testType} is a column test: list it under a column`);
  }
  const kind = testType as GenericTestKind;
  if (kind === "accepted_values") {
    const values = args.values;
    if (!Array.isArray(values) || values.length === 0) {
      throw new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${at}: accepted_values needs a list of values`);
    }
    return { kind, column, values };
  }
  if (kind === "relationships") {
    const to = refTarget(args.to);
    const field = typeof args.field === "string" ? args.field : undefined;
    return to === undefined || field === undefined ? undefined : { kind, column, to, field };
  }
  return { kind, column };
}
