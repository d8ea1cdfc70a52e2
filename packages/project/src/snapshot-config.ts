import { AlmanacError } from "@almanac/errors";
import { didYouMean } from "./did-you-mean.js";
import type { ConfigLayer } from "./model-config.js";

/** The columns a snapshot adds, by dbt's name, with the name the project gives each. */
export interface SnapshotColumns {
  readonly dbt_scd_id: string;
  readonly dbt_updated_at: string;
  readonly dbt_valid_from: string;
  readonly dbt_valid_to: string;
  readonly dbt_is_deleted: string;
}

/** A snapshot's config, checked (dbt 1.9's snapshot keys). */
export interface SnapshotSettings {
  readonly strategy: "timestamp" | "check";
  /** A column or SQL expression, or a list of them. */
  readonly uniqueKey: string | readonly string[];
  /** Required by the timestamp strategy; optional for check (default: the run's time). */
  readonly updatedAt?: string;
  readonly checkCols?: "all" | readonly string[];
  /** From `hard_deletes`, or the legacy `invalidate_hard_deletes: true`. Default `ignore`. */
  readonly hardDeletes: "ignore" | "invalidate" | "new_record";
  /** SQL expression current rows hold in `dbt_valid_to`; default null. */
  readonly validToCurrent?: string;
  readonly columnNames: SnapshotColumns;
}

const strategies = ["timestamp", "check"] as const;
const hardDeleteModes = ["ignore", "invalidate", "new_record"] as const;
const defaultColumns: SnapshotColumns = {
  dbt_scd_id: "dbt_scd_id",
  dbt_updated_at: "dbt_updated_at",
  dbt_valid_from: "dbt_valid_from",
  dbt_valid_to: "dbt_valid_to",
  dbt_is_deleted: "dbt_is_deleted",
};
// Custom meta column names are written into SQL unquoted (as dbt does), so only plain names are taken.
const plainName = /^[a-z_][a-z0-9_]*$/;

/**
 * Checks the merged config of snapshot `name` (folders < properties yml < `config()`) and returns
 * its settings. Throws ALMANAC_BAD_MODEL_CONFIG naming `where` (`snapshots/x.sql:3`) and the key:
 * no unique_key, an unknown strategy, timestamp without updated_at, check without check_cols…
 */
export function snapshotSettings(where: string, name: string, config: ConfigLayer): SnapshotSettings {
  const fail = (text: string, key: string) =>
    new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `${where}: snapshot "${name}" ${text}`, {
      file: where.replace(/:\d+$/, ""),
      snapshot: name,
      key,
    });
  const strategy = config.strategy;
  if (strategy === undefined || strategy === null) {
    throw fail("needs strategy='timestamp' (with updated_at) or strategy='check' (with check_cols)", "strategy");
  }
  if (typeof strategy !== "string" || !(strategies as readonly string[]).includes(strategy)) {
    const hint = typeof strategy === "string" ? didYouMean(strategy, strategies) : "";
    throw fail(`has strategy=${JSON.stringify(strategy)}: use timestamp or check${hint}`, "strategy");
  }
  const uniqueKey = keyOf(config.unique_key);
  if (uniqueKey === undefined) {
    throw fail("needs unique_key: the column (or list of columns) that identifies a row", "unique_key");
  }
  const updatedAt = config.updated_at;
  if (updatedAt !== undefined && updatedAt !== null && (typeof updatedAt !== "string" || updatedAt.trim() === "")) {
    throw fail(`has updated_at=${JSON.stringify(updatedAt)}: it must name a column`, "updated_at");
  }
  if (strategy === "timestamp" && (updatedAt === undefined || updatedAt === null)) {
    throw fail(
      "uses strategy='timestamp', which needs updated_at: the column that says when a row changed",
      "updated_at",
    );
  }
  const checkCols = checkColsOf(config.check_cols);
  if (strategy === "check" && checkCols === undefined) {
    throw fail("uses strategy='check', which needs check_cols: a list of columns, or 'all'", "check_cols");
  }
  const validToCurrent = config.dbt_valid_to_current;
  if (validToCurrent !== undefined && validToCurrent !== null && typeof validToCurrent !== "string") {
    throw fail("has a dbt_valid_to_current that is no SQL expression (write it as a string)", "dbt_valid_to_current");
  }
  return {
    strategy: strategy as SnapshotSettings["strategy"],
    uniqueKey,
    ...(typeof updatedAt === "string" ? { updatedAt } : {}),
    ...(strategy === "check" && checkCols !== undefined ? { checkCols } : {}),
    hardDeletes: hardDeletesOf(config, fail),
    ...(typeof validToCurrent === "string" && validToCurrent.trim() !== "" ? { validToCurrent } : {}),
    columnNames: columnNamesOf(config.snapshot_meta_column_names, fail),
  };
}

function keyOf(value: unknown): string | string[] | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string" && item !== "")) {
    return value as string[];
  }
  return undefined;
}

function checkColsOf(value: unknown): "all" | string[] | undefined {
  if (value === "all") return "all";
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string" && item !== "")) {
    return value as string[];
  }
  return undefined;
}

type Fail = (text: string, key: string) => AlmanacError;

/** dbt's `get_hard_deletes_behavior`: both keys at once is an error; the legacy flag means invalidate. */
function hardDeletesOf(config: ConfigLayer, fail: Fail): SnapshotSettings["hardDeletes"] {
  const legacy = config.invalidate_hard_deletes;
  const mode = config.hard_deletes;
  if (legacy !== undefined && legacy !== null && mode !== undefined && mode !== null) {
    throw fail("sets both invalidate_hard_deletes and hard_deletes: keep hard_deletes", "hard_deletes");
  }
  if (legacy !== undefined && legacy !== null && typeof legacy !== "boolean") {
    throw fail("has invalidate_hard_deletes that is not true or false", "invalidate_hard_deletes");
  }
  if (legacy === true) return "invalidate";
  if (mode === undefined || mode === null) return "ignore";
  if (typeof mode === "string" && (hardDeleteModes as readonly string[]).includes(mode)) {
    return mode as SnapshotSettings["hardDeletes"];
  }
  const hint = typeof mode === "string" ? didYouMean(mode, hardDeleteModes) : "";
  throw fail(`has hard_deletes=${JSON.stringify(mode)}: use ignore, invalidate or new_record${hint}`, "hard_deletes");
}

function columnNamesOf(value: unknown, fail: Fail): SnapshotColumns {
  if (value === undefined || value === null) return defaultColumns;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw fail("has snapshot_meta_column_names that is not a mapping", "snapshot_meta_column_names");
  }
  const names: Record<string, string> = { ...defaultColumns };
  for (const [key, name] of Object.entries(value)) {
    if (!Object.hasOwn(defaultColumns, key)) {
      throw fail(
        `has snapshot_meta_column_names.${key}: the keys are ${Object.keys(defaultColumns).join(", ")}${didYouMean(key, Object.keys(defaultColumns))}`,
        "snapshot_meta_column_names",
      );
    }
    if (typeof name !== "string" || !plainName.test(name)) {
      throw fail(
        `has snapshot_meta_column_names.${key}=${JSON.stringify(name)}: Almanac takes lower-case names of letters, digits and _`,
        "snapshot_meta_column_names",
      );
    }
    names[key] = name;
  }
  return names as unknown as SnapshotColumns;
}
