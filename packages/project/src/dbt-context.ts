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

/** Resolves `env_var(name, default)` from `env`; unset without a default is ALMANAC_MISSING_VAR. */
export function lookupEnvVar(
  name: string,
  fallback: { value: unknown } | undefined,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  const value = env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback.value;
  throw new AlmanacError("ALMANAC_MISSING_VAR", `env_var("${name}") is not set in the environment and has no default`, {
    envVar: name,
  });
}
