import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { AlmanacError } from "@almanac/errors";
import { parseDbtProjectConfig } from "./dbt-project-config.js";
import { findProjectFiles, readOptionalFile, readProjectFile } from "./project-files.js";
import type { MacroFile } from "./types.js";
import { isMapping, YamlFile } from "./yaml-file.js";

/** The installed packages' macros, and what could not be loaded (for the project's warnings). */
export interface LoadedPackages {
  readonly macroFiles: MacroFile[];
  readonly warnings: string[];
}

/** `dbt-labs/dbt_utils` → `dbt_utils`, `../shared/` → `shared`, `https://…/repo.git` → `repo`. */
function installedName(entry: Readonly<Record<string, unknown>>): string | undefined {
  const spec = entry.package ?? entry.local ?? entry.git ?? entry.tarball;
  if (typeof spec !== "string") return undefined;
  const last = spec.replace(/\/+$/, "").split(/[/:]/).pop() ?? "";
  return last.replace(/\.git$/, "") || undefined;
}

/**
 * dbt packages: `packages.yml` (or `dependencies.yml`) is read, and the packages `dbt deps`
 * installed under `packages-install-path` (default `dbt_packages/`) contribute their macros,
 * global and as `<package>.<macro>`. Almanac does not download packages: a listed package
 * that is not installed is ALMANAC_BAD_PROJECT_CONFIG saying to run `dbt deps`. Package models
 * are not loaded (see docs/dbt-compatibility.md).
 */
export async function loadDbtPackages(root: string, installPath: string): Promise<LoadedPackages> {
  const listFile = (await readOptionalFile(root, "packages.yml")) !== undefined ? "packages.yml" : "dependencies.yml";
  const text = await readOptionalFile(root, listFile);
  if (text === undefined) return { macroFiles: [], warnings: [] };
  const file = YamlFile.parse(listFile, text);
  const data = file.data;
  const entries = isMapping(data) && Array.isArray(data.packages) ? data.packages : [];
  const wanted = entries.filter(isMapping).map((entry, i) => {
    const name = installedName(entry);
    if (name === undefined) throw file.error(["packages", i], "a package needs package:, local:, git: or tarball:");
    return name;
  });
  if (wanted.length === 0) return { macroFiles: [], warnings: [] };
  const installDir = join(root, installPath);
  const installed = await readdir(installDir).catch(() => undefined);
  if (installed === undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `${listFile} lists ${wanted.join(", ")} but ${installPath}/ does not exist: run \`dbt deps\` once to install them (Almanac loads installed packages, it does not download them)`,
      { file: listFile, packages: wanted },
    );
  }
  const missing = wanted.filter((name) => !installed.includes(name));
  if (missing.length > 0) {
    throw new AlmanacError(
      "ALMANAC_BAD_PROJECT_CONFIG",
      `${listFile} lists ${missing.join(", ")}, which ${installPath}/ does not have: run \`dbt deps\` to install ${missing.length === 1 ? "it" : "them"}`,
      { file: listFile, packages: missing },
    );
  }
  const macroFiles: MacroFile[] = [];
  const warnings: string[] = [];
  for (const name of [...installed].sort()) {
    const packageDir = `${installPath}/${name}`;
    if (!(await stat(join(root, packageDir)).catch(() => undefined))?.isDirectory()) continue;
    const projectText = await readOptionalFile(root, `${packageDir}/dbt_project.yml`);
    if (projectText === undefined) continue;
    const config = parseDbtProjectConfig(YamlFile.parse(`${packageDir}/dbt_project.yml`, projectText));
    const files = await findProjectFiles(join(root, packageDir), config);
    for (const macro of files.macros) {
      const path = `${packageDir}/${macro.path}`;
      macroFiles.push({ path, source: await readProjectFile(root, path), package: config.name });
    }
  }
  return { macroFiles, warnings };
}
