import { AlmanacError } from "@almanac/errors";
import type { TargetValue } from "./template-environment.js";
import type { Target } from "./types.js";

/**
 * Window vars used while parsing at load, so templates that filter on `var('min_date')` render
 * before any partition is chosen. They never reach a warehouse.
 */
export const parseWindowVars: Readonly<Record<string, string>> = Object.freeze({
  min_date: "2000-01-01",
  max_date: "2000-01-02",
  min_ts: "2000-01-01T00:00:00.000+00:00",
  max_ts: "2000-01-02T00:00:00.000+00:00",
});

/**
 * `dbt_version` as templates see it: the dbt release whose behaviour the dbt layer follows
 * (packages compare it before using a newer feature).
 */
export const dbtVersion = "1.9.0";

/** dbt's flags for a run without options. */
const flagDefaults: Readonly<Record<string, unknown>> = {
  FULL_REFRESH: false,
  STORE_FAILURES: false,
  WHICH: "run",
  WARN_ERROR: false,
  FAIL_FAST: false,
  DEBUG: false,
  USE_COLORS: false,
  PARTIAL_PARSE: false,
  EMPTY: false,
};

/**
 * dbt's `flags` as templates read them: the render's own (`FULL_REFRESH`, `WHICH`) over dbt's
 * defaults. An unknown flag is None, as in dbt.
 */
export function dbtFlags(flags: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return new Proxy(
    { ...flagDefaults, ...flags },
    { get: (values, name) => (typeof name === "string" ? (values[name] ?? null) : undefined) },
  );
}

/** The target assumed while parsing at load when the caller does not give one. */
export const parseTarget: Target = Object.freeze({ name: "dev", schema: "public", type: "postgres" });

/**
 * `target` as templates see it (`dbname` is dbt-postgres' name for the database). An unknown
 * database prints as '' rather than failing every model that mentions it during the parse.
 */
export function targetValue(target: Target): TargetValue {
  return Object.freeze({
    name: target.name,
    schema: target.schema,
    type: target.type,
    database: target.database ?? "",
    dbname: target.database ?? "",
  });
}

/**
 * Resolves `var(name, default)`: the first layer that has `name` wins (window and run vars,
 * then project vars), then the default when one was passed (even `none`), else
 * ALMANAC_MISSING_VAR naming the var.
 */
export function lookupVar(
  name: string,
  fallback: { value: unknown } | undefined,
  layers: readonly (Readonly<Record<string, unknown>> | undefined)[],
): unknown {
  for (const layer of layers) {
    if (layer !== undefined && Object.hasOwn(layer, name) && layer[name] !== undefined) return layer[name];
  }
  if (fallback !== undefined) return fallback.value;
  throw new AlmanacError(
    "ALMANAC_MISSING_VAR",
    `var("${name}") is not set and has no default: pass it as a run var or set vars.${name} in dbt_project.yml`,
    { var: name },
  );
}

/**
 * Prefixes `env_var()` may read when the caller sets none. Model files are trusted code, but a
 * model must not be able to copy `DATABASE_URL` (or any other secret of the process) into a
 * table, so only variables meant for templates are visible.
 */
export const defaultEnvVarPrefixes: readonly string[] = Object.freeze(["DBT_", "ALMANAC_"]);

/**
 * Resolves `env_var(name, default)` from `env`. A name without one of `prefixes` is refused
 * (ALMANAC_TEMPLATE_ERROR naming the variable and the allowed prefixes), set or not, default or
 * not; unset without a default is ALMANAC_MISSING_VAR.
 */
export function lookupEnvVar(
  name: string,
  fallback: { value: unknown } | undefined,
  env: Readonly<Record<string, string | undefined>>,
  prefixes: readonly string[] = defaultEnvVarPrefixes,
): unknown {
  if (!prefixes.some((prefix) => name.startsWith(prefix))) {
    const allowed = prefixes.length === 0 ? "none (ALMANAC_ENV_VAR_PREFIXES is empty)" : prefixes.join(", ");
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `env_var("${name}") is refused: templates may only read environment variables starting with ${allowed} (set ALMANAC_ENV_VAR_PREFIXES to change the list)`,
      { envVar: name, allowedPrefixes: [...prefixes] },
    );
  }
  const value = env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback.value;
  throw new AlmanacError("ALMANAC_MISSING_VAR", `env_var("${name}") is not set in the environment and has no default`, {
    envVar: name,
  });
}

/**
 * Parses a comma-separated prefix list (`ALMANAC_ENV_VAR_PREFIXES=DBT_,ALMANAC_`); blanks are
 * dropped. Undefined gives the defaults.
 */
export function parseEnvVarPrefixes(text: string | undefined): readonly string[] {
  if (text === undefined) return defaultEnvVarPrefixes;
  return Object.freeze(
    text
      .split(",")
      .map((prefix) => prefix.trim())
      .filter((prefix) => prefix !== ""),
  );
}
