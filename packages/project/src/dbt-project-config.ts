import { resolveRunHooks } from "./hooks.js";
import { type ConfigLayer, mergeConfig } from "./model-config.js";
import type { RunHooks } from "./types.js";
import { formatKeyPath, isMapping, requiredString, type YamlFile, type YamlPath } from "./yaml-file.js";

/**
 * Config set by folder in dbt_project.yml (`models: <project>: staging: +schema: staging`).
 * Each node is a folder (or a model/seed name at the leaf) and holds the `+keys` set there.
 */
export interface FolderConfigNode {
  readonly config: ConfigLayer;
  readonly children: ReadonlyMap<string, FolderConfigNode>;
}

/** What Almanac reads from dbt_project.yml. */
export interface DbtProjectConfig {
  readonly name: string;
  /** Default `["models"]`. */
  readonly modelPaths: readonly string[];
  /** Default `["macros"]`. */
  readonly macroPaths: readonly string[];
  /** Default `["seeds"]`. */
  readonly seedPaths: readonly string[];
  /** `{% snapshot %}` files. Default `["snapshots"]`. */
  readonly snapshotPaths: readonly string[];
  /** Singular tests. Default `["tests"]`. */
  readonly testPaths: readonly string[];
  /** Where `dbt deps` installs packages. Default `dbt_packages`. */
  readonly packagesInstallPath: string;
  /** Global vars, with the `vars: {<project>: {...}}` block of this project laid over them. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly models: FolderConfigNode;
  readonly seeds: FolderConfigNode;
  /** `on-run-start` / `on-run-end`, unrendered. */
  readonly runHooks: RunHooks;
  readonly snapshots: FolderConfigNode;
  /** `dispatch:`: for a macro namespace, the packages `adapter.dispatch` searches, in order. */
  readonly dispatch: ReadonlyMap<string, readonly string[]>;
  /**
   * What this file sets for other projects (installed packages): `vars: {<package>: {...}}`
   * with the global vars, and `models:`/`seeds:` trees under `<package>:`. Only the root
   * project's settings for packages are applied (as in dbt).
   */
  readonly forPackage: (packageName: string) => PackageSettings;
}

/** The root project's settings for one installed package. */
export interface PackageSettings {
  /** Global vars of the root project with its `vars: {<package>: …}` block laid over them. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly models: FolderConfigNode;
  readonly seeds: FolderConfigNode;
  readonly snapshots: FolderConfigNode;
}

const emptyNode: FolderConfigNode = { config: {}, children: new Map() };

/** Parses dbt_project.yml; throws ALMANAC_BAD_PROJECT_CONFIG naming the key on a bad shape. */
export function parseDbtProjectConfig(file: YamlFile): DbtProjectConfig {
  const data = file.data;
  if (!isMapping(data)) throw file.error([], "must be a mapping with at least `name:`");
  const name = requiredString(file, ["name"], data.name);
  return {
    name,
    modelPaths: pathList(file, "model-paths", data["model-paths"] ?? data["source-paths"], ["models"]),
    macroPaths: pathList(file, "macro-paths", data["macro-paths"], ["macros"]),
    seedPaths: pathList(file, "seed-paths", data["seed-paths"] ?? data["data-paths"], ["seeds"]),
    snapshotPaths: pathList(file, "snapshot-paths", data["snapshot-paths"], ["snapshots"]),
    testPaths: pathList(file, "test-paths", data["test-paths"], ["tests"]),
    packagesInstallPath:
      pathList(file, "packages-install-path", data["packages-install-path"], ["dbt_packages"])[0] ?? "dbt_packages",
    vars: projectVars(file, name, data.vars),
    models: resourceTree(file, "models", name, data.models),
    seeds: resourceTree(file, "seeds", name, data.seeds),
    snapshots: resourceTree(file, "snapshots", name, data.snapshots),
    dispatch: dispatchOrder(file, data.dispatch),
    runHooks: {
      onRunStart: resolveRunHooks(file.path, "on-run-start", data["on-run-start"]),
      onRunEnd: resolveRunHooks(file.path, "on-run-end", data["on-run-end"]),
    },
    forPackage: (packageName) => ({
      vars: projectVars(file, packageName, data.vars),
      models: resourceTree(file, "models", packageName, data.models),
      seeds: resourceTree(file, "seeds", packageName, data.seeds),
      snapshots: resourceTree(file, "snapshots", packageName, data.snapshots),
    }),
  };
}

function dispatchOrder(file: YamlFile, value: unknown): Map<string, readonly string[]> {
  const orders = new Map<string, readonly string[]>();
  if (value === undefined || value === null) return orders;
  if (!Array.isArray(value))
    throw file.error(["dispatch"], "dispatch must be a list of {macro_namespace, search_order}");
  value.forEach((entry: unknown, i) => {
    const order = isMapping(entry) ? entry.search_order : undefined;
    if (!isMapping(entry) || !Array.isArray(order) || !order.every((name) => typeof name === "string")) {
      throw file.error(["dispatch", i], "each dispatch entry needs macro_namespace: and search_order: [package, …]");
    }
    orders.set(requiredString(file, ["dispatch", i, "macro_namespace"], entry.macro_namespace), order);
  });
  return orders;
}

function pathList(file: YamlFile, key: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined || value === null) return fallback;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === "string" && item.trim() !== "")) {
    throw file.error([key], `${key} must be a list of folder paths, got ${JSON.stringify(value)}`);
  }
  // Paths are compared with model paths later; drop `./` and trailing slashes once here.
  return list.map((item: string) => item.replace(/^\.\//, "").replace(/\/+$/, ""));
}

function projectVars(file: YamlFile, projectName: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) throw file.error(["vars"], "vars must be a mapping of name: value");
  // dbt scopes `vars: {<project>: {...}}` to that project's models; for a single project that
  // means "these win over the global ones".
  const { [projectName]: scoped, ...global } = value;
  return isMapping(scoped) ? { ...global, ...scoped } : global;
}

/**
 * Builds the config tree under `models:` (or `seeds:`) for project `projectName`. `+key`
 * entries at the top apply to everything; the `<project name>:` entry is that project's root
 * folder; entries for other project names belong to other projects (`forPackage`).
 */
function resourceTree(file: YamlFile, section: string, projectName: string, value: unknown): FolderConfigNode {
  if (value === undefined || value === null) return emptyNode;
  if (!isMapping(value)) throw file.error([section], `${section} must be a mapping of folder config`);
  const rootConfig: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("+")) rootConfig[key.slice(1)] = item;
  }
  const projectEntry = value[projectName];
  if (projectEntry === undefined || projectEntry === null) return { config: rootConfig, children: new Map() };
  const projectNode = folderNode(file, [section, projectName], projectEntry);
  return { config: mergeConfig(rootConfig, projectNode.config), children: projectNode.children };
}

function folderNode(file: YamlFile, keyPath: YamlPath, value: unknown): FolderConfigNode {
  if (!isMapping(value)) {
    throw file.error(keyPath, `${formatKeyPath(keyPath)} must be a mapping of +config keys and sub-folders`);
  }
  const config: Record<string, unknown> = {};
  const children = new Map<string, FolderConfigNode>();
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("+")) config[key.slice(1)] = item;
    // dbt's older syntax writes config keys without `+`; a mapping there is a sub-folder.
    else if (isMapping(item)) children.set(key, folderNode(file, [...keyPath, key], item));
    else config[key] = item;
  }
  return { config, children };
}

/**
 * The config a resource inherits from its folders: the layers from the root down to the
 * deepest matching node of `segments` (folders, then the file name), nearer ones winning.
 */
export function folderConfig(tree: FolderConfigNode, segments: readonly string[]): Record<string, unknown> {
  let config = mergeConfig({}, tree.config);
  let node: FolderConfigNode | undefined = tree;
  for (const segment of segments) {
    node = node.children.get(segment);
    if (node === undefined) break;
    config = mergeConfig(config, node.config);
  }
  return config;
}
