import { createHash } from "node:crypto";
import { type Project, renderModel, type Target } from "@almanac/project";

// Fixed window so the hash changes with the model's code (SQL, macros, config, vars) and never
// with the partition being run.
const placeholderWindow = {
  min_date: "2000-01-01",
  max_date: "2000-01-02",
  min_ts: "2000-01-01T00:00:00.000+00:00",
  max_ts: "2000-01-02T00:00:00.000+00:00",
};

/**
 * The model's code version: a hash of its SQL rendered for a fixed window. A materialized
 * partition whose code version differs from the current one is stale (DESIGN §3.6).
 */
export function codeVersion(
  project: Project,
  modelName: string,
  target: Target,
  vars: Readonly<Record<string, unknown>> = {},
): string {
  const rendered = renderModel(project, modelName, {
    target,
    vars: { ...vars, ...placeholderWindow },
    isIncremental: true,
    // As dbt's parse: the version follows the code, not what run_query would find in the data.
    execute: false,
  });
  return createHash("sha256").update(rendered.sql).update(JSON.stringify(rendered.config)).digest("hex").slice(0, 16);
}
