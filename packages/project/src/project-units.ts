import type { InstalledPackage } from "./dbt-packages.js";
import { type DbtProjectConfig, folderConfig } from "./dbt-project-config.js";
import { mergeConfig } from "./model-config.js";
import type { ProjectFiles } from "./project-files.js";

/**
 * The root project or one installed package: its files and what its resources inherit. Models
 * and seeds of every unit load alike; only where their config and vars come from differs.
 */
export interface ProjectUnit {
  /** The package's name; undefined for the root project. */
  readonly package: string | undefined;
  /** Paths relative to the root project dir. */
  readonly files: ProjectFiles;
  /** What `var()` finds in this unit's models (before run vars). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Folder config of a model, from its folders and name. */
  modelConfig(segments: readonly string[]): Record<string, unknown>;
  seedConfig(segments: readonly string[]): Record<string, unknown>;
  /** Folder config of a snapshot (dbt_project.yml `snapshots:`), from its file's folders and its name. */
  snapshotConfig(segments: readonly string[]): Record<string, unknown>;
}

export function rootUnit(dbt: DbtProjectConfig, files: ProjectFiles): ProjectUnit {
  return {
    package: undefined,
    files,
    vars: dbt.vars,
    modelConfig: (segments) => folderConfig(dbt.models, segments),
    seedConfig: (segments) => folderConfig(dbt.seeds, segments),
    snapshotConfig: (segments) => folderConfig(dbt.snapshots, segments),
  };
}

/**
 * A package's resources take the package's own dbt_project.yml config, then what the root
 * project sets for them (`models: {<package>: …}`, `vars: {<package>: …}`), which wins, as in dbt.
 */
export function packageUnit(installed: InstalledPackage, root: DbtProjectConfig): ProjectUnit {
  const settings = root.forPackage(installed.name);
  const own = installed.config;
  return {
    package: installed.name,
    files: installed.files,
    vars: { ...own.vars, ...settings.vars },
    modelConfig: (segments) => mergeConfig(folderConfig(own.models, segments), folderConfig(settings.models, segments)),
    seedConfig: (segments) => mergeConfig(folderConfig(own.seeds, segments), folderConfig(settings.seeds, segments)),
    snapshotConfig: (segments) =>
      mergeConfig(folderConfig(own.snapshots, segments), folderConfig(settings.snapshots, segments)),
  };
}
