import { AlmanacError } from "@almanac/errors";
import { type ConfigJinjaInput, renderConfigJinja } from "./config-jinja.js";
import { defaultEnvVarPrefixes, parseTarget } from "./dbt-context.js";
import { mergeConfig, resolveModelConfig } from "./model-config.js";
import type { PropertiesCatalog } from "./model-properties.js";
import { parseModel } from "./parse-model.js";
import { type ProjectFile, readProjectFile } from "./project-files.js";
import type { ProjectUnit } from "./project-units.js";
import type { CompiledProject } from "./render-model.js";
import { snapshotBlocks } from "./snapshot-blocks.js";
import { snapshotSettings } from "./snapshot-config.js";
import type { CompiledTemplate } from "./template-environment.js";
import type { Model, Target } from "./types.js";

/** A snapshot after its parse: a model whose materialization is `snapshot`, before refs are checked. */
export interface ParsedSnapshot {
  /** The file, named after the block (a file may hold several snapshots). */
  readonly file: ProjectFile;
  readonly rawSql: string;
  readonly model: Omit<Model, "refs" | "seedRefs">;
  readonly refNames: readonly string[];
  readonly template: CompiledTemplate;
}

/** What parsing snapshots needs from the load. */
export interface SnapshotLoadInput {
  readonly root: string;
  readonly catalog: PropertiesCatalog;
  readonly compiled: CompiledProject;
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly envVarPrefixes?: readonly string[];
  readonly target?: Target;
}

/** The snapshots of one unit and what is worth telling the user about them. */
export interface UnitSnapshots {
  readonly snapshots: readonly ParsedSnapshot[];
  readonly warnings: readonly string[];
}

/**
 * Parses the `{% snapshot %}` blocks of a unit's snapshot files. Each becomes a model with
 * materialization `snapshot`: its body is the select, its config comes from dbt_project.yml
 * `snapshots:` < properties yml `snapshots:` < `config()` in the block, and is checked here so a
 * bad snapshot stops the load at `file:line` before anything runs. Disabled snapshots are left out.
 */
export async function loadUnitSnapshots(unit: ProjectUnit, input: SnapshotLoadInput): Promise<UnitSnapshots> {
  const snapshots: ParsedSnapshot[] = [];
  const warnings: string[] = [];
  const env = input.env ?? process.env;
  const envVarPrefixes = input.envVarPrefixes ?? defaultEnvVarPrefixes;
  const target = input.target ?? parseTarget;
  const jinja: ConfigJinjaInput = { vars: [input.vars, unit.vars], env, envVarPrefixes, target };
  for (const source of unit.files.snapshots) {
    const text = await readProjectFile(input.root, source.path);
    const blocks = snapshotBlocks(source.path, text);
    if (blocks.length === 0) warnings.push(`${source.path}: no {% snapshot %} block, so no snapshot`);
    for (const block of blocks) {
      const file: ProjectFile = { path: source.path, name: block.name, folders: source.folders };
      const properties = input.catalog.models.get(block.name);
      const folders = renderConfigJinja(
        unit.snapshotConfig([...source.folders, block.name]),
        input.compiled.environment,
        jinja,
      );
      // `materialized` first, so `this` in the parse already sees the snapshot's target_schema.
      const baseConfig = mergeConfig(mergeConfig(folders, properties?.config ?? {}), { materialized: "snapshot" });
      const template = input.compiled.environment.compile(source.path, block.body);
      const parsed = parseModel(input.compiled.environment, template, {
        file: source.path,
        name: block.name,
        baseConfig,
        projectVars: unit.vars,
        vars: input.vars,
        env,
        envVarPrefixes,
        target,
      });
      const merged = mergeConfig(mergeConfig(baseConfig, parsed.configured), { materialized: "snapshot" });
      const where = `${source.path}:${configLine(block.body) ?? block.line}`;
      const config = Object.freeze(resolveModelConfig(where, merged));
      if (!config.enabled) continue;
      snapshotSettings(where, block.name, config);
      if (config.partitions !== undefined) {
        throw new AlmanacError(
          "ALMANAC_BAD_MODEL_CONFIG",
          `${where}: snapshot "${block.name}" sets partitions: a snapshot keeps one history of the whole select, so it cannot be partitioned`,
          { file: source.path, snapshot: block.name },
        );
      }
      if (config.target_database !== undefined && config.target_database !== null) {
        warnings.push(
          `${where}: snapshot "${block.name}" sets target_database, which is ignored: Almanac writes to the warehouse database it connects to`,
        );
      }
      snapshots.push({
        file,
        rawSql: block.body,
        refNames: parsed.refs,
        template,
        model: {
          name: block.name,
          path: source.path,
          rawSql: block.body,
          config,
          sources: parsed.sources,
          folders: source.folders,
          ...(properties?.description === undefined ? {} : { description: properties.description }),
          columns: properties?.columns ?? [],
          ...(properties === undefined || properties.tests.length === 0 ? {} : { tests: properties.tests }),
          ...(unit.package === undefined ? {} : { package: unit.package }),
        },
      });
    }
  }
  return { snapshots, warnings };
}

/** Line of the block's `config(` call, where a bad setting is most likely written. */
function configLine(body: string): number | undefined {
  const match = /\bconfig\s*\(/.exec(body);
  return match ? body.slice(0, match.index).split("\n").length : undefined;
}
