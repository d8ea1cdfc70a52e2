import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { AlmanacError } from "@almanac/errors";
import { type DbtProjectConfig, parseDbtProjectConfig } from "./dbt-project-config.js";
import { findProjectFiles, type ProjectFile, type ProjectFiles, readOptionalFile } from "./project-files.js";
import { isMapping, YamlFile } from "./yaml-file.js";

/** A package `dbt deps` installed: its own dbt_project.yml and files. */
export interface InstalledPackage {
  /** The `name` in its dbt_project.yml, which is how dbt (and `ref`, `dispatch`, vars) call it. */
  readonly name: string;
  /** Its folder relative to the project dir, e.g. `dbt_packages/dbt_utils`. */
  readonly dir: string;
  readonly config: DbtProjectConfig;
  /** Its models, properties, macros and seeds, with paths relative to the project dir. */
  readonly files: ProjectFiles;
}

/** A package listed in a packages.yml, and the name it will have once installed, when known. */
interface ListedPackage {
  readonly spec: string;
  readonly name: string | undefined;
}

/**
 * dbt packages as `dbt deps` leaves them: every folder under `packages-install-path` (default
 * `dbt_packages/`) holding a dbt_project.yml is a package, known by the `name` in that file
 * (dbt installs a git package `dbt-audit-helper.git` as `audit_helper`, and `local: ../` as a
 * link named after the linked project). Packages listed by the project and by the installed
 * packages themselves (transitive dependencies) must be installed. Almanac does not download
 * packages: a missing one is ALMANAC_BAD_PROJECT_CONFIG saying to run `dbt deps`.
 */
export async function loadDbtPackages(root: string, installPath: string): Promise<InstalledPackage[]> {
  const listed = await listedPackages(root, "");
  if (listed === undefined || listed.entries.length === 0) return [];
  const installDir = join(root, installPath);
  const folders = await readdir(installDir).catch(() => undefined);
  if (folders === undefined) {
    const names = listed.entries.map((entry) => entry.name ?? entry.spec);
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `${listed.file} lists ${names.join(", ")} but ${installPath}/ does not exist: run \`dbt deps\` once to install them (Almanac loads installed packages, it does not download them)`,
      { file: listed.file, packages: names },
    );
  }
  const packages = new Map<string, InstalledPackage>();
  for (const folder of [...folders].sort()) {
    const dir = `${installPath}/${folder}`;
    const installed = await readPackage(root, dir);
    if (installed === undefined) continue;
    const other = packages.get(installed.name);
    if (other !== undefined) {
      throw new AlmanacError(
        "ALMANAC_BAD_PROJECT_CONFIG",
        `${other.dir}/ and ${dir}/ are both the package "${installed.name}": remove one and run \`dbt deps\` again`,
        { file: `${dir}/dbt_project.yml`, package: installed.name },
      );
    }
    packages.set(installed.name, installed);
  }
  checkInstalled(listed, packages, installPath);
  for (const installed of packages.values()) {
    const own = await listedPackages(root, installed.dir);
    if (own !== undefined) checkInstalled(own, packages, installPath);
  }
  return [...packages.values()];
}

/** Reads the package in `dir` (relative to `root`), or undefined when it holds no dbt_project.yml. */
async function readPackage(root: string, dir: string): Promise<InstalledPackage | undefined> {
  if (!(await stat(join(root, dir)).catch(() => undefined))?.isDirectory()) return undefined;
  const projectFile = `${dir}/dbt_project.yml`;
  const text = await readOptionalFile(root, projectFile);
  if (text === undefined) return undefined;
  const config = parseDbtProjectConfig(YamlFile.parse(projectFile, text));
  const found = await findProjectFiles(join(root, dir), config);
  const under = (files: readonly ProjectFile[]) => files.map((file) => ({ ...file, path: `${dir}/${file.path}` }));
  const files: ProjectFiles = {
    models: under(found.models),
    properties: under(found.properties),
    macros: under(found.macros),
    seeds: under(found.seeds),
    tests: under(found.tests),
    // A package's snapshots are not loaded: they would write history tables into the project's
    // schemas on every `almanac snapshot` without the project asking for them.
    snapshots: [],
  };
  return { name: config.name, dir, config, files };
}

function checkInstalled(
  listed: { file: string; entries: readonly ListedPackage[] },
  packages: ReadonlyMap<string, InstalledPackage>,
  installPath: string,
): void {
  // A git or tarball package's name is only known once installed: `dbt deps` checked those.
  const missing = listed.entries.flatMap((entry) =>
    entry.name === undefined || packages.has(entry.name) ? [] : [entry.name],
  );
  if (missing.length === 0) return;
  throw new AlmanacError(
    "ALMANAC_BAD_PROJECT_CONFIG",
    `${listed.file} lists ${missing.join(", ")}, which ${installPath}/ does not have: run \`dbt deps\` to install ${missing.length === 1 ? "it" : "them"}`,
    { file: listed.file, packages: missing },
  );
}

/**
 * The packages.yml (or dependencies.yml) of the project in `dir` (relative to `root`, "" for
 * the root project), with each entry's installed name: the hub name of `package: org/name`,
 * the linked project's name for `local:`, the `name` package-lock.yml records for git and
 * tarball packages (dbt 1.7+), else unknown.
 */
async function listedPackages(
  root: string,
  dir: string,
): Promise<{ file: string; entries: ListedPackage[] } | undefined> {
  const at = (path: string) => (dir === "" ? path : `${dir}/${path}`);
  let file = at("packages.yml");
  let text = await readOptionalFile(root, file);
  if (text === undefined) {
    file = at("dependencies.yml");
    text = await readOptionalFile(root, file);
  }
  if (text === undefined) return undefined;
  const yaml = YamlFile.parse(file, text);
  const list = isMapping(yaml.data) && Array.isArray(yaml.data.packages) ? yaml.data.packages : [];
  const locked = await lockedNames(root, at("package-lock.yml"));
  const entries: ListedPackage[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isMapping(entry)) throw yaml.error(["packages", i], "a package entry must be a mapping");
    if (typeof entry.package === "string") {
      entries.push({ spec: entry.package, name: entry.package.split("/").pop() });
    } else if (typeof entry.local === "string") {
      entries.push({ spec: entry.local, name: await localName(root, dir, entry.local, yaml, i) });
    } else if (typeof entry.git === "string" || typeof entry.tarball === "string") {
      const spec = String(entry.git ?? entry.tarball);
      entries.push({ spec, name: locked.get(spec) });
    } else {
      throw yaml.error(["packages", i], "a package needs package:, local:, git: or tarball:");
    }
  }
  return { file, entries };
}

async function localName(root: string, dir: string, local: string, yaml: YamlFile, i: number): Promise<string> {
  const path = join(dir, local, "dbt_project.yml");
  const text = await readOptionalFile(root, path);
  if (text === undefined) throw yaml.error(["packages", i, "local"], `local: ${local} has no dbt_project.yml`);
  return parseDbtProjectConfig(YamlFile.parse(path, text)).name;
}

/** `git:`/`tarball:` → installed name, from the package-lock.yml dbt 1.7+ writes beside packages.yml. */
async function lockedNames(root: string, path: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const text = await readOptionalFile(root, path);
  if (text === undefined) return names;
  const data = YamlFile.parse(path, text).data;
  for (const entry of isMapping(data) && Array.isArray(data.packages) ? data.packages : []) {
    if (!isMapping(entry) || typeof entry.name !== "string") continue;
    const spec = entry.git ?? entry.tarball;
    if (typeof spec === "string") names.set(spec, entry.name);
  }
  return names;
}
