import { AlmanacError } from "@almanac/errors";
import { isMapping } from "./jinja-compat/python-values.js";
import type { Model } from "./types.js";

/** The generic tests dbt ships, which Almanac runs as checks. */
export const genericTestKinds = ["not_null", "unique", "accepted_values", "relationships"] as const;
export type GenericTestKind = (typeof genericTestKinds)[number];

/** dbt's test severity: `error` fails the partition's check, `warn` records it. */
export type TestSeverity = "warn" | "error";

/**
 * A dbt test, run as a check of `model` after each of its partitions is materialized (and by
 * `almanac test`). Its query returns failing rows; none means it passed.
 */
export interface DataTest {
  /** dbt's name: `unique_orders_order_id`, or a singular test's file name. */
  readonly name: string;
  readonly kind: GenericTestKind | "singular";
  /** The model the test checks. */
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
}

/** Tests found in the project, and generic tests Almanac does not run (with why, for warnings). */
export interface ProjectTests {
  readonly tests: DataTest[];
  readonly warnings: string[];
}

function testEntries(column: Readonly<Record<string, unknown>>): unknown[] {
  const entries: unknown[] = [];
  for (const key of ["tests", "data_tests"]) {
    const value = column[key];
    if (Array.isArray(value)) entries.push(...value);
  }
  return entries;
}

function severityOf(where: string, args: Readonly<Record<string, unknown>>): TestSeverity {
  const config = isMapping(args.config) ? args.config : {};
  const value = config.severity ?? args.severity ?? "error";
  const severity = String(value).toLowerCase();
  if (severity === "warn" || severity === "error") return severity;
  throw new AlmanacError(
    "ALMANAC_BAD_PROJECT_CONFIG",
    `${where}: severity must be warn or error, got ${JSON.stringify(value)}`,
  );
}

function whereOf(args: Readonly<Record<string, unknown>>): string | undefined {
  const config = isMapping(args.config) ? args.config : {};
  const value = config.where ?? args.where;
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** `ref('customers')` or `ref("customers")` as written in a relationships test's `to:`. */
function refTarget(value: unknown): string | undefined {
  const match = typeof value === "string" ? /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/.exec(value) : null;
  return match?.[2];
}

/**
 * The generic tests declared under the `columns:` of each model's properties (`tests:` or dbt
 * 1.8's `data_tests:`). Tests Almanac cannot run (package tests like `dbt_utils.*`, custom
 * generic tests, `to: source(...)`) are listed as warnings and skipped, never half-run.
 */
export function genericTestsOf(model: Model, propertiesFile: string): ProjectTests {
  const tests: DataTest[] = [];
  const warnings: string[] = [];
  for (const column of model.columns) {
    for (const entry of testEntries(column)) {
      const [kind, rawArgs] =
        typeof entry === "string" ? [entry, {}] : isMapping(entry) ? (Object.entries(entry)[0] ?? ["", {}]) : ["", {}];
      const args = isMapping(rawArgs) ? rawArgs : {};
      const where = `${propertiesFile}: test ${kind} on ${model.name}.${column.name}`;
      if (!(genericTestKinds as readonly string[]).includes(kind)) {
        warnings.push(`${where} is not one of ${genericTestKinds.join(", ")}: skipped`);
        continue;
      }
      const base = {
        model: model.name,
        asset: model.name,
        path: propertiesFile,
        column: column.name,
        severity: severityOf(where, args),
        ...(whereOf(args) === undefined ? {} : { where: whereOf(args) }),
      };
      if (kind === "accepted_values") {
        const values = args.values;
        if (!Array.isArray(values) || values.length === 0) {
          throw new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${where}: accepted_values needs a list of values`);
        }
        const suffix = values.map((value) => String(value)).join("__");
        tests.push({ ...base, kind, values, name: `accepted_values_${model.name}_${column.name}__${suffix}` });
      } else if (kind === "relationships") {
        const to = refTarget(args.to);
        const field = typeof args.field === "string" ? args.field : undefined;
        if (to === undefined || field === undefined) {
          warnings.push(`${where} needs to: ref('model') and field: (source() parents are not supported): skipped`);
          continue;
        }
        tests.push({
          ...base,
          kind,
          to,
          field,
          name: `relationships_${model.name}_${column.name}__${field}__ref_${to}_`,
        });
      } else {
        tests.push({ ...base, kind: kind as GenericTestKind, name: `${kind}_${model.name}_${column.name}` });
      }
    }
  }
  return { tests, warnings };
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
