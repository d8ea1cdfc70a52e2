import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { AlmanacError } from "@almanac/errors";
import { glob } from "tinyglobby";
import type { DbtProjectConfig } from "./dbt-project-config.js";

/** A file found under one of the project's resource paths. */
export interface ProjectFile {
  /** Path relative to the project dir, POSIX separators. */
  readonly path: string;
  /** File name without extension: the model or seed name. */
  readonly name: string;
  /** Folders between the resource path and the file, e.g. `["staging"]`. */
  readonly folders: readonly string[];
}

/** The files that make up a project, each list sorted by path. */
export interface ProjectFiles {
  readonly models: readonly ProjectFile[];
  /** `*.yml` (and `.yaml`) under the model, seed, test and macro paths: sources, model and seed properties. */
  readonly properties: readonly ProjectFile[];
  readonly macros: readonly ProjectFile[];
  readonly seeds: readonly ProjectFile[];
  /** `snapshots/**\/*.sql`: files of `{% snapshot %}` blocks. */
  readonly snapshots: readonly ProjectFile[];
  /** Singular tests: `tests/**\/*.sql` but `tests/generic/` (macros) and `tests/fixtures/` (unit test rows). */
  readonly tests: readonly ProjectFile[];
}

async function filesUnder(root: string, resourcePaths: readonly string[], patterns: string[]): Promise<ProjectFile[]> {
  const found = new Map<string, ProjectFile>();
  for (const resourcePath of resourcePaths) {
    const matches = await glob(patterns, { cwd: join(root, resourcePath), onlyFiles: true, dot: false });
    for (const match of matches) {
      const path = `${resourcePath}/${match}`.replace(/^\.\//, "");
      const segments = match.split("/");
      const fileName = segments.pop() ?? match;
      // Overlapping resource paths (`models` and `models/sub`) must not list a file twice.
      if (!found.has(path)) found.set(path, { path, name: fileName.replace(/\.[^.]+$/, ""), folders: segments });
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Finds models, properties files, macros and seeds under the paths dbt_project.yml names. */
export async function findProjectFiles(root: string, config: DbtProjectConfig): Promise<ProjectFiles> {
  const [models, properties, macros, seeds, tests, snapshots] = await Promise.all([
    filesUnder(root, config.modelPaths, ["**/*.sql"]),
    // dbt reads properties from every resource path (seed properties often sit beside the CSVs).
    filesUnder(
      root,
      [
        ...new Set([
          ...config.modelPaths,
          ...config.seedPaths,
          ...config.testPaths,
          ...config.macroPaths,
          ...config.snapshotPaths,
        ]),
      ],
      ["**/*.yml", "**/*.yaml"],
    ),
    filesUnder(root, config.macroPaths, ["**/*.sql"]),
    filesUnder(root, config.seedPaths, ["**/*.csv"]),
    filesUnder(root, config.testPaths, ["**/*.sql"]),
    filesUnder(root, config.snapshotPaths, ["**/*.sql"]),
  ]);
  // dbt reads `tests/generic/` as macro files: the `{% test %}` blocks of the project's own generic tests.
  const isGeneric = (file: ProjectFile) => file.folders[0] === "generic";
  // `tests/fixtures/` holds the rows of unit tests (`format: sql` fixtures), which are not tests.
  const isFixture = (file: ProjectFile) => file.folders[0] === "fixtures";
  return {
    models,
    properties,
    macros: [...macros, ...tests.filter(isGeneric)],
    seeds,
    snapshots,
    tests: tests.filter((file) => !isGeneric(file) && !isFixture(file)),
  };
}

/** Reads a project file as UTF-8. */
export function readProjectFile(root: string, path: string): Promise<string> {
  return readFile(join(root, path), "utf8");
}

/**
 * Checks that `root` is a project folder and returns the text of its dbt_project.yml, or
 * throws ALMANAC_PROJECT_NOT_FOUND saying what is missing.
 */
export async function readDbtProjectFile(root: string): Promise<string> {
  const folder = await stat(root).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new AlmanacError(
      "ALMANAC_PROJECT_NOT_FOUND",
      `project folder ${root} does not exist: pass --project DIR or set ALMANAC_PROJECT_DIR`,
      { dir: root },
    );
  }
  try {
    return await readFile(join(root, "dbt_project.yml"), "utf8");
  } catch {
    throw new AlmanacError(
      "ALMANAC_PROJECT_NOT_FOUND",
      `${root} has no dbt_project.yml: point --project or ALMANAC_PROJECT_DIR at a dbt project folder`,
      { dir: root },
    );
  }
}

/** Text of an optional file, or undefined when it does not exist. */
export async function readOptionalFile(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(join(root, path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
