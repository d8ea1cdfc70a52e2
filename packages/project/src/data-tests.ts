import { AlmanacError } from "@almanac/errors";
import type { StoreFailuresAs } from "./store-failures.js";
import type { Model } from "./types.js";

/** The generic tests dbt ships, which Almanac runs as checks. */
export const genericTestKinds = ["not_null", "unique", "accepted_values", "relationships"] as const;
export type GenericTestKind = (typeof genericTestKinds)[number];

/** The asset key of tests that check no model (singular tests that ref none): the project itself. */
export const projectAsset = "";

/** dbt's test severity: `error` fails the partition's check, `warn` records it. */
export type TestSeverity = "warn" | "error";

/**
 * A dbt test, run as a check of `model` after each of its partitions is materialized (and by
 * `almanac test`). Its query returns failing rows; none means it passed.
 */
export interface DataTest {
  /** dbt's name: `unique_orders_order_id`, or a singular test's file name. */
  readonly name: string;
  /** A built-in generic test, a test macro (`{% test %}` block), or a singular test file. */
  readonly kind: GenericTestKind | "macro" | "singular";
  /** The model (or seed) the test checks; {@link projectAsset} for a singular test that refs none. */
  readonly model: string;
  /**
   * The asset whose materialization runs the test and under which its outcome is recorded:
   * `model`, or a model built after it that the test also reads (a `relationships` parent that
   * depends on `model`), so the test never runs before everything it reads exists.
   */
  readonly asset: string;
  /** The yml or SQL file that defines it, relative to the project dir. */
  readonly path: string;
  readonly severity: TestSeverity;
  /** Generic tests: the column tested. */
  readonly column?: string;
  /** `accepted_values`: the allowed values. */
  readonly values?: readonly unknown[];
  /** `relationships`: the parent model (or seed) and its column. */
  readonly to?: string;
  readonly field?: string;
  /** dbt's `where` config: rows of the model the test looks at. */
  readonly where?: string;
  /** Singular tests: the template. */
  readonly rawSql?: string;
  /** Macro tests: the test as written (`dbt_utils.expression_is_true`), its macro is `test_<name>`. */
  readonly macro?: string;
  /** Macro tests: the arguments from the yml, `column_name` included for a column's test. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** dbt's `fail_calc` (default `count(*)`), compared by `warn_if` / `error_if` (default `!= 0`). */
  readonly failCalc?: string;
  readonly warnIf?: string;
  readonly errorIf?: string;
  /** dbt's `limit`: at most this many failing rows are counted (and stored). */
  readonly limit?: number;
  /**
   * dbt's `store_failures_as` (or `store_failures: true`, which is `table`): the check also
   * writes its failing rows to a table or view of their own. Default unset: `ephemeral`.
   */
  readonly storeFailuresAs?: StoreFailuresAs;
  /** dbt's `schema` for a test: the custom schema of its stored failures. Default `dbt_test__audit`. */
  readonly schema?: string;
  /** dbt's `alias` for a test: the name of its stored failures. Default {@link DataTest.shortName}, else `name`. */
  readonly alias?: string;
  /** Generic tests named 64 characters or more: dbt's shortened name, which names their relation. */
  readonly shortName?: string;
}

/** dbt's `warn_if` / `error_if`: a comparison with a number, applied to `fail_calc`. */
const thresholdPattern = /^\s*(==|=|!=|<>|<=|>=|<|>)\s*-?\d+(\.\d+)?\s*$/;

/**
 * `fail_calc`, `warn_if`, `error_if` and `limit` from a test's config (its yml entry or a
 * `config()` call in its macro), checked: only what is set.
 */
export function checkSettingsOf(
  config: Readonly<Record<string, unknown>>,
  where: string,
): Pick<DataTest, "failCalc" | "warnIf" | "errorIf" | "limit"> {
  const fail = (message: string) => new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${where}: ${message}`);
  const threshold = (key: "warn_if" | "error_if") => {
    const value = config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && thresholdPattern.test(value)) return value.trim();
    throw fail(`${key} must compare with a number, like "> 10" or "!= 0", got ${JSON.stringify(value)}`);
  };
  const { limit, fail_calc: failCalc } = config;
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) > 0)) {
    throw fail(`limit must be a positive whole number, got ${JSON.stringify(limit)}`);
  }
  if (failCalc !== undefined && failCalc !== null && (typeof failCalc !== "string" || failCalc.trim() === "")) {
    throw fail(`fail_calc must be a SQL expression, got ${JSON.stringify(failCalc)}`);
  }
  const warnIf = threshold("warn_if");
  const errorIf = threshold("error_if");
  return {
    ...(typeof failCalc === "string" ? { failCalc } : {}),
    ...(warnIf === undefined ? {} : { warnIf }),
    ...(errorIf === undefined ? {} : { errorIf }),
    ...(typeof limit === "number" ? { limit } : {}),
  };
}

/**
 * The query that judges a test: dbt's `fail_calc` over the failing rows the test selects, and
 * whether it crosses `warn_if` and `error_if` (as dbt's `get_test_sql`).
 */
export function verdictQuery(test: DataTest, sql: string): string {
  const failCalc = test.failCalc ?? "count(*)";
  const limit = test.limit === undefined ? "" : `\nlimit ${test.limit}`;
  return `select ${failCalc} as failures, ${failCalc} ${test.warnIf ?? "!= 0"} as should_warn, ${failCalc} ${test.errorIf ?? "!= 0"} as should_error
from (\n${sql}${limit}\n) dbt_internal_test`;
}

/** The failing rows a test stores (dbt's `store_failures`): its query, cut at `limit` as its count is. */
export function failingRowsQuery(test: DataTest, sql: string): string {
  return test.limit === undefined ? sql : `select * from (\n${sql}\n) dbt_internal_test\nlimit ${test.limit}`;
}

/** A test's status from its verdict query: an error-severity test fails past `error_if`, else warns past `warn_if`. */
export function verdictOf(
  test: DataTest,
  verdict: { should_warn: boolean; should_error: boolean },
): "passed" | "warned" | "failed" {
  if (test.severity === "error" && verdict.should_error) return "failed";
  return verdict.should_warn ? "warned" : "passed";
}

/** Tests found in the project, and generic tests Almanac does not run (with why, for warnings). */
export interface ProjectTests {
  readonly tests: DataTest[];
  readonly warnings: string[];
}

/**
 * The model a singular test checks: among the models it refs, the ones no other of its refs
 * depends on (for `orders_daily` joined with `orders`, `orders_daily`). It then runs when that
 * model's partitions are materialized, when everything it reads exists.
 */
export function modelsCheckedBy(refs: readonly string[], models: ReadonlyMap<string, Model>): string[] {
  const candidates = refs.filter((name) => models.has(name));
  const upstreamOf = (name: string, seen = new Set<string>()): Set<string> => {
    for (const parent of models.get(name)?.refs ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      upstreamOf(parent, seen);
    }
    return seen;
  };
  return candidates.filter((name) => !candidates.some((other) => other !== name && upstreamOf(other).has(name)));
}
