import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RelationValue } from "../src/relation.js";
import type { RenderScope } from "../src/template-environment.js";

/** Absolute path of fixture project `name` under test/fixtures. */
export function fixture(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);
}

/**
 * A throwaway copy of fixture `name` with `files` (path → text) written over it, for the many
 * small variants of one project that error tests need. Call `remove` when done.
 */
export async function fixtureVariant(
  name: string,
  files: Record<string, string>,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `almanac-project-${name}-`));
  await cp(fixture(name), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * What rendering a template of file `file` sees in the Jinja tests: model `model` in schema
 * `analytics`, refs and sources resolved plainly, no config, vars or env vars but defaults.
 */
export function renderScope(file: string, model = "orders"): RenderScope {
  return {
    file,
    this: new RelationValue("analytics", model, "warehouse"),
    target: { name: "dev", schema: "analytics", type: "postgres", database: "warehouse", dbname: "warehouse" },
    isIncremental: false,
    execute: true,
    model: { name: model, config: { materialized: "table" }, original_file_path: file },
    ref: (name) => new RelationValue("analytics", name),
    source: (source, table) => new RelationValue(source, table),
    config: () => undefined,
    configValue: () => undefined,
    variable: (_name, fallback) => fallback?.value,
    envVar: (_name, fallback) => fallback?.value,
  };
}
