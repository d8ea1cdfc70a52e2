import { resolve } from "node:path";
import { AlmanacError } from "@almanac/errors";
import { type AlmanacConfig, emptyAlmanacConfig, parseAlmanacConfig } from "./almanac-config.js";
import { applyAssetRules, checkScheduleSelections } from "./asset-rules.js";
import { checkAutomation } from "./automation-rules.js";
import { type ConfigJinjaInput, renderConfigJinja } from "./config-jinja.js";
import { topologicalOrder } from "./dag.js";
import { type DataTest, modelsCheckedBy, type ProjectTests, projectAsset } from "./data-tests.js";
import { defaultEnvVarPrefixes, parseTarget } from "./dbt-context.js";
import { type InstalledPackage, loadDbtPackages } from "./dbt-packages.js";
import { parseDbtProjectConfig } from "./dbt-project-config.js";
import { didYouMean } from "./did-you-mean.js";
import { genericTestsOf, refTarget } from "./generic-tests.js";
import { resolveHooks } from "./hooks.js";
import { loadUnitSnapshots } from "./load-snapshots.js";
import { applyMicrobatch } from "./microbatch.js";
import { mergeConfig, resolveModelConfig } from "./model-config.js";
import { addPropertiesFile, emptyCatalog, type PropertiesCatalog } from "./model-properties.js";
import { lineOfCall, lineOfQuoted, parseModel } from "./parse-model.js";
import {
  findProjectFiles,
  type ProjectFile,
  readDbtProjectFile,
  readOptionalFile,
  readProjectFile,
} from "./project-files.js";
import { type ProjectUnit, packageUnit, rootUnit } from "./project-units.js";
import { type CompiledProject, rememberCompiled } from "./render-model.js";
import { storeFailuresSettingsOf } from "./store-failures.js";
import { type CompiledTemplate, TemplateEnvironment } from "./template-environment.js";
import type { MacroFile, Model, Project, Seed, SourceTable, Target } from "./types.js";
import { YamlFile } from "./yaml-file.js";

/** Options for `loadProject`; all optional. */
export interface LoadProjectOptions {
  /** Target assumed by the parse at load (`target.*` in templates). Default `{name: "dev", schema: "public", type: "postgres"}`. */
  readonly target?: Target;
  /** Run-level vars known at load; during the parse they win over project vars. Default none. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Environment for `env_var()` during the parse. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Prefixes of the environment variables `env_var()` may read, at load and in every later
   * render of this project. Default `["DBT_", "ALMANAC_"]`; the CLI sets it from
   * `ALMANAC_ENV_VAR_PREFIXES`.
   */
  readonly envVarPrefixes?: readonly string[];
}

/** A model after the parse, before refs are checked against the other models. */
interface ParsedModelFile {
  readonly file: ProjectFile;
  readonly rawSql: string;
  readonly model: Omit<Model, "refs" | "seedRefs">;
  /** Every name passed to `ref()`. */
  readonly refNames: readonly string[];
  readonly template: CompiledTemplate;
}

/**
 * Loads the dbt-style project in `dir`: dbt_project.yml, optional almanac.yml, models and their
 * properties, macros and seeds. Every model is parse-rendered once (dbt's way) to learn its
 * refs, sources and `config()`; the DAG is checked (unknown refs and sources, cycles) and
 * almanac.yml's asset rules decide which models are partitioned. Throws AlmanacError
 * (ALMANAC_PROJECT_NOT_FOUND, ALMANAC_BAD_PROJECT_CONFIG, ALMANAC_UNKNOWN_REF, …) whose message
 * names the file and line.
 */
export async function loadProject(dir: string, options: LoadProjectOptions = {}): Promise<Project> {
  const root = resolve(dir);
  const dbt = parseDbtProjectConfig(YamlFile.parse("dbt_project.yml", await readDbtProjectFile(root)));
  const almanacText = await readOptionalFile(root, "almanac.yml");
  const almanacFile = almanacText === undefined ? undefined : YamlFile.parse("almanac.yml", almanacText);
  const almanac = almanacFile === undefined ? emptyAlmanacConfig : parseAlmanacConfig(almanacFile);
  const files = await findProjectFiles(root, dbt);
  const packages = await loadDbtPackages(root, dbt.packagesInstallPath);
  // The project's own unit last: its macros of the same name override the packages', as in dbt.
  const units: ProjectUnit[] = [...packages.map((installed) => packageUnit(installed, dbt)), rootUnit(dbt, files)];

  const catalog = emptyCatalog();
  const macroFiles: MacroFile[] = [];
  for (const unit of units) {
    for (const file of unit.files.properties)
      addPropertiesFile(catalog, YamlFile.parse(file.path, await readProjectFile(root, file.path)));
    for (const file of unit.files.macros) {
      const source = await readProjectFile(root, file.path);
      macroFiles.push(
        unit.package === undefined ? { path: file.path, source } : { path: file.path, source, package: unit.package },
      );
    }
  }
  const compiled: CompiledProject = {
    environment: new TemplateEnvironment(macroFiles, {
      envVarPrefixes: options.envVarPrefixes,
      projectName: dbt.name,
      dispatch: dbt.dispatch,
    }),
    templates: new Map(),
  };

  const enabled = new Map<string, ParsedModelFile>();
  // Disabled models and seeds, so a ref to one says so instead of "names no model".
  const disabled = new Map<string, "model" | "seed">();
  for (const unit of units)
    for (const file of unit.files.models) {
      const parsed = parseModelFile(file, await readProjectFile(root, file.path), unit, catalog, compiled, options);
      if (!parsed.model.config.enabled) {
        disabled.set(file.name, "model");
        continue;
      }
      if (parsed.model.config.materialized === "snapshot") {
        throw new AlmanacError(
          "ALMANAC_BAD_MODEL_CONFIG",
          `${file.path}: materialized="snapshot" is not a model's: write a {% snapshot ${file.name} %} block in snapshots/ instead`,
          { file: file.path, asset: file.name },
        );
      }
      const existing = enabled.get(file.name);
      if (existing) {
        throw new AlmanacError(
          "ALMANAC_BAD_PROJECT_CONFIG",
          `two models are named "${file.name}" (${existing.file.path}, ${file.path}): model names must be unique`,
          { file: file.path, otherFile: existing.file.path, asset: file.name },
        );
      }
      enabled.set(file.name, parsed);
    }
  const snapshotWarnings: string[] = [];
  for (const unit of units) {
    const found = await loadUnitSnapshots(unit, { root, catalog, compiled, ...options });
    snapshotWarnings.push(...found.warnings);
    for (const parsed of found.snapshots) {
      const existing = enabled.get(parsed.file.name);
      if (existing) {
        throw new AlmanacError(
          "ALMANAC_BAD_PROJECT_CONFIG",
          `snapshot "${parsed.file.name}" in ${parsed.file.path} has the name of ${existing.file.path}: ref() names must be unique`,
          { file: parsed.file.path, otherFile: existing.file.path, asset: parsed.file.name },
        );
      }
      enabled.set(parsed.file.name, parsed);
    }
  }
  for (const [name, parsed] of enabled) compiled.templates.set(name, parsed.template);

  const { seeds, disabled: disabledSeeds } = seedsOf(units, enabled, catalog, compiled, options);
  for (const name of disabledSeeds) if (!seeds.has(name) && !disabled.has(name)) disabled.set(name, "seed");
  const models = resolveRefs(enabled, disabled, seeds, catalog.sources);
  const ownUnit = units[units.length - 1];
  const renderTestConfig = (config: Readonly<Record<string, unknown>>) =>
    ownUnit === undefined
      ? { ...config }
      : renderConfigJinja(config, compiled.environment, configJinjaInput(ownUnit, options));
  const tests = await loadTests(
    root,
    files.tests,
    models,
    seeds,
    disabled,
    catalog,
    compiled,
    options,
    renderTestConfig,
  );
  checkModelPartitions(models, almanac);
  const provisional: Project = {
    dir: root,
    name: dbt.name,
    vars: dbt.vars,
    packageVars: new Map(units.flatMap((unit) => (unit.package === undefined ? [] : [[unit.package, unit.vars]]))),
    models,
    sources: renderedSources(
      catalog.sources,
      compiled,
      configJinjaInput(units[units.length - 1] as ProjectUnit, options),
    ),
    partitions: almanac.partitions,
    backfillPolicies: new Map(),
    partitionMappings: new Map(),
    automation: new Map(),
    sourcePartitions: sourcePartitionsOf(almanac, almanacFile, catalog.sources),
    schedules: almanac.schedules,
    notifications: almanac.notifications,
    order: topologicalOrder(models),
    seeds,
    macroFiles,
    dispatch: dbt.dispatch,
    ...(dbt.runHooks.onRunStart.length + dbt.runHooks.onRunEnd.length === 0 ? {} : { runHooks: dbt.runHooks }),
    tests: tests.tests,
    envVarPrefixes: Object.freeze([...(options.envVarPrefixes ?? defaultEnvVarPrefixes)]),
    warnings: [
      ...[...catalog.models.keys()]
        .filter((name) => !enabled.has(name) && !disabled.has(name))
        .map((name) => `${catalog.models.get(name)?.file}: properties for "${name}", which is not a model`),
      ...[...catalog.seeds.values()]
        .filter((properties) => !seeds.has(properties.name))
        .map((properties) => `${properties.file}: properties for "${properties.name}", which is not an enabled seed`),
      ...tests.warnings,
      ...snapshotWarnings,
      ...compiled.environment.skippedPackageFiles.map((why) => `${why}: skipped, its macros are unavailable`),
      ...packageRunHookWarnings(packages),
    ],
  };
  const rules = applyAssetRules(provisional, almanac, almanacFile);
  // After the rules: an asset rule's definition wins over the one microbatch config implies.
  const microbatch = applyMicrobatch(rules.models, almanac.partitions);
  const project: Project = {
    ...provisional,
    models: microbatch.models,
    partitions: microbatch.partitions,
    backfillPolicies: rules.backfillPolicies,
    partitionMappings: rules.partitionMappings,
    automation: rules.automation,
    freshness: rules.freshness,
  };
  checkAutomation(project, almanacFile);
  const warnings = [
    ...provisional.warnings,
    ...rules.warnings,
    ...checkScheduleSelections(project, almanac, almanacFile),
  ];
  const loaded: Project = { ...project, warnings };
  rememberCompiled(loaded, compiled);
  return loaded;
}

/** Compiles and parse-renders one model file and resolves its config (folders < yml < config()). */
function parseModelFile(
  file: ProjectFile,
  rawSql: string,
  unit: ProjectUnit,
  catalog: PropertiesCatalog,
  compiled: CompiledProject,
  options: LoadProjectOptions,
): ParsedModelFile {
  const properties = catalog.models.get(file.name);
  const folders = renderConfigJinja(
    unit.modelConfig([...file.folders, file.name]),
    compiled.environment,
    configJinjaInput(unit, options),
  );
  const baseConfig = mergeConfig(folders, properties?.config ?? {});
  const template = compiled.environment.compile(file.path, rawSql);
  const parsed = parseModel(compiled.environment, template, {
    file: file.path,
    name: file.name,
    baseConfig,
    projectVars: unit.vars,
    vars: options.vars,
    env: options.env ?? process.env,
    envVarPrefixes: options.envVarPrefixes ?? defaultEnvVarPrefixes,
    target: options.target ?? parseTarget,
  });
  const config = Object.freeze(resolveModelConfig(file.path, mergeConfig(baseConfig, parsed.configured)));
  return {
    file,
    rawSql,
    refNames: parsed.refs,
    template,
    model: {
      name: file.name,
      path: file.path,
      rawSql,
      config,
      sources: parsed.sources,
      folders: file.folders,
      ...(properties?.description === undefined ? {} : { description: properties.description }),
      columns: properties?.columns ?? [],
      ...(properties === undefined || properties.tests.length === 0 ? {} : { tests: properties.tests }),
      ...(unit.package === undefined ? {} : { package: unit.package }),
    },
  };
}

/** What Jinja in a unit's dbt_project.yml config sees. */
/**
 * Source tables with Jinja in `schema` or `identifier` rendered, as dbt renders them
 * (`schema: "{{ target.schema ~ '_raw' }}"`), with the root project's vars and the target.
 */
function renderedSources(
  sources: PropertiesCatalog["sources"],
  compiled: CompiledProject,
  input: ConfigJinjaInput,
): Map<string, SourceTable> {
  const rendered = new Map<string, SourceTable>();
  for (const [key, { file, ...table }] of sources) {
    const names = renderConfigJinja(
      { schema: table.schema, identifier: table.identifier },
      compiled.environment,
      input,
      file,
    );
    rendered.set(key, { ...table, schema: String(names.schema), identifier: String(names.identifier) } as SourceTable);
  }
  return rendered;
}

function configJinjaInput(unit: ProjectUnit, options: LoadProjectOptions): ConfigJinjaInput {
  return {
    vars: [options.vars, unit.vars],
    env: options.env ?? process.env,
    envVarPrefixes: options.envVarPrefixes ?? defaultEnvVarPrefixes,
    target: options.target ?? parseTarget,
  };
}

/** Only the root project's run hooks run; a package's would otherwise be skipped silently. */
function packageRunHookWarnings(packages: readonly InstalledPackage[]): string[] {
  return packages.flatMap(({ name, dir, config }) => {
    const count = config.runHooks.onRunStart.length + config.runHooks.onRunEnd.length;
    return count === 0
      ? []
      : [
          `${dir}/dbt_project.yml: package ${name}'s on-run-start / on-run-end hooks are not run (only the root project's are)`,
        ];
  });
}

/** Enabled seeds of every unit, by name, and the names of disabled ones. */
function seedsOf(
  units: readonly ProjectUnit[],
  models: ReadonlyMap<string, ParsedModelFile>,
  catalog: PropertiesCatalog,
  compiled: CompiledProject,
  options: LoadProjectOptions,
): { seeds: Map<string, Seed>; disabled: Set<string> } {
  const seeds = new Map<string, Seed>();
  const disabled = new Set<string>();
  for (const unit of units)
    for (const file of unit.files.seeds) {
      const folders = renderConfigJinja(
        unit.seedConfig([...file.folders, file.name]),
        compiled.environment,
        configJinjaInput(unit, options),
      );
      // The seed's properties yml `config:` is nearer than its folders, as for models.
      const config = seedConfig(file.path, mergeConfig(folders, catalog.seeds.get(file.name)?.config ?? {}));
      if (config.enabled === false) {
        disabled.add(file.name);
        continue;
      }
      const clash = models.get(file.name)?.file.path ?? seeds.get(file.name)?.path;
      if (clash !== undefined) {
        throw new AlmanacError(
          "ALMANAC_BAD_PROJECT_CONFIG",
          `seed ${file.path} has the same name as ${clash}: ref("${file.name}") would be ambiguous`,
          { file: file.path, otherFile: clash },
        );
      }
      seeds.set(file.name, { name: file.name, path: file.path, config });
    }
  return { seeds, disabled };
}

/** A seed's config with its `enabled` and hooks checked (hooks as lists of SQL strings). */
function seedConfig(file: string, raw: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = { ...raw };
  if (config.enabled !== undefined && config.enabled !== null && typeof config.enabled !== "boolean") {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `${file}: config enabled=${JSON.stringify(config.enabled)} must be true or false`,
      { file, key: "enabled", value: config.enabled },
    );
  }
  for (const key of ["pre_hook", "post_hook"] as const) {
    const hooks = resolveHooks(file, key, raw[key]);
    if (hooks.length === 0) delete config[key];
    else config[key] = hooks;
  }
  return config;
}

/**
 * Splits each model's refs into models and seeds, and checks every ref and source exists.
 * Errors point at the line of the call (`models/x.sql:7: ref("stg_tripz") names no model…`).
 */
function resolveRefs(
  parsed: ReadonlyMap<string, ParsedModelFile>,
  disabled: ReadonlyMap<string, "model" | "seed">,
  seeds: ReadonlyMap<string, Seed>,
  sources: PropertiesCatalog["sources"],
): Map<string, Model> {
  const models = new Map<string, Model>();
  const known = [...parsed.keys(), ...seeds.keys()];
  for (const { file, rawSql, model, refNames } of parsed.values()) {
    const refs: string[] = [];
    const seedRefs: string[] = [];
    for (const name of refNames) {
      if (parsed.has(name)) refs.push(name);
      else if (seeds.has(name)) seedRefs.push(name);
      else {
        const line = lineOfCall(rawSql, "ref", [name]) ?? lineOfQuoted(rawSql, name);
        const why = disabled.has(name)
          ? `names a disabled ${disabled.get(name)} (enabled: false): enable it, or remove the ref`
          : `names no model${didYouMean(name, known)}`;
        throw located("ALMANAC_UNKNOWN_REF", file.path, line, `ref("${name}") ${why}`, { ref: name });
      }
    }
    for (const [sourceName, tableName] of model.sources) {
      if (sources.has(`${sourceName}.${tableName}`)) continue;
      const line = lineOfCall(rawSql, "source", [sourceName, tableName]);
      const hint = didYouMean(`${sourceName}.${tableName}`, sources.keys());
      const text = `source("${sourceName}", "${tableName}") is not defined in any sources: block${hint}`;
      throw located("ALMANAC_UNKNOWN_SOURCE", file.path, line, text, { source: sourceName, table: tableName });
    }
    models.set(model.name, Object.freeze({ ...model, refs, seedRefs }));
  }
  return models;
}

function located(
  code: "ALMANAC_UNKNOWN_REF" | "ALMANAC_UNKNOWN_SOURCE",
  file: string,
  line: number | undefined,
  text: string,
  details: Record<string, unknown>,
): AlmanacError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new AlmanacError(code, `${where}: ${text}`, { ...details, file, line });
}

/** almanac.yml `sources:` entries, each naming a source table some `sources:` block defines. */
function sourcePartitionsOf(
  almanac: AlmanacConfig,
  file: YamlFile | undefined,
  sources: ReadonlyMap<string, unknown>,
): Map<string, string> {
  const listed = new Map<string, string>();
  for (const [name, entry] of almanac.sources) {
    if (!sources.has(name)) {
      const hint = didYouMean(name, sources.keys());
      const text = `sources[${entry.index}].name "${name}" is no table of any sources: block${hint}`;
      throw file?.error(["sources", entry.index, "name"], text) ?? new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", text);
    }
    listed.set(name, entry.partitions);
  }
  return listed;
}

/** A model's own `partitions` config must name a definition in almanac.yml. */
function checkModelPartitions(models: ReadonlyMap<string, Model>, almanac: AlmanacConfig): void {
  for (const model of models.values()) {
    const name = model.config.partitions;
    if (name === undefined || almanac.partitions.has(name)) continue;
    const known = [...almanac.partitions.keys()];
    const listed = known.length === 0 ? "almanac.yml defines none" : `almanac.yml defines ${known.join(", ")}`;
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `${model.path}: config partitions="${name}" names no partitions definition${didYouMean(name, known)} (${listed})`,
      { file: model.path, partitions: name },
    );
  }
}

/**
 * The project's dbt tests: generic tests from the models' properties, and singular tests
 * (`tests/*.sql`) parse-rendered like models to learn their refs and `config(severity=…)`. A
 * singular test checks the most downstream of the models it refs (see `modelsCheckedBy`).
 */
async function loadTests(
  root: string,
  files: readonly ProjectFile[],
  models: ReadonlyMap<string, Model>,
  seeds: ReadonlyMap<string, Seed>,
  disabled: ReadonlyMap<string, "model" | "seed">,
  catalog: PropertiesCatalog,
  compiled: CompiledProject,
  options: LoadProjectOptions,
  renderTestConfig: (config: Readonly<Record<string, unknown>>) => Record<string, unknown>,
): Promise<ProjectTests> {
  const tests: DataTest[] = [];
  const warnings: string[] = [];
  const hasMacro = (name: string) => compiled.environment.hasTestMacro(name);
  // Seeds are tested from their `seeds:` properties; models carry theirs.
  const resources = [
    ...[...models.values()].map((model) => ({
      resource: model,
      file: catalog.models.get(model.name)?.file ?? model.path,
    })),
    ...[...catalog.seeds.values()]
      .filter(({ name }) => seeds.has(name))
      .map((seed) => ({ resource: seed, file: seed.file })),
  ];
  for (const { resource, file } of resources) {
    const found = genericTestsOf(resource, file, hasMacro, renderTestConfig);
    for (const test of found.tests) {
      // A parent built after the model (customers reads orders): the test runs after it.
      const others = otherRefsOf(test);
      const unknown = others.find((name) => !models.has(name) && !seeds.has(name));
      if (unknown !== undefined) {
        const what = disabled.has(unknown) ? `a disabled ${disabled.get(unknown)}` : "no model or seed";
        warnings.push(`${test.path}: test ${test.name} refs "${unknown}", which is ${what}: skipped`);
        continue;
      }
      const asset =
        others.length === 0 ? test.model : (modelsCheckedBy([test.model, ...others], models)[0] ?? test.model);
      tests.push({ ...test, asset });
    }
    warnings.push(...found.warnings);
  }
  for (const file of files) {
    const rawSql = await readProjectFile(root, file.path);
    const template = compiled.environment.compile(file.path, rawSql);
    const parsed = parseModel(compiled.environment, template, {
      file: file.path,
      name: file.name,
      baseConfig: {},
      projectVars: {},
      vars: options.vars,
      env: options.env ?? process.env,
      envVarPrefixes: options.envVarPrefixes ?? defaultEnvVarPrefixes,
      target: options.target ?? parseTarget,
    });
    // dbt disables a test that refs a disabled node (with a warning) rather than failing the load.
    const disabledRef = parsed.refs.find((name) => !models.has(name) && !seeds.has(name) && disabled.has(name));
    if (disabledRef !== undefined) {
      warnings.push(`${file.path}: refs "${disabledRef}", a disabled ${disabled.get(disabledRef)}: test skipped`);
      continue;
    }
    for (const name of parsed.refs) {
      if (models.has(name) || seeds.has(name)) continue;
      const line = lineOfCall(rawSql, "ref", [name]) ?? lineOfQuoted(rawSql, name);
      const known = [...models.keys(), ...seeds.keys()];
      throw located("ALMANAC_UNKNOWN_REF", file.path, line, `ref("${name}") names no model${didYouMean(name, known)}`, {
        ref: name,
      });
    }
    if (parsed.configured.enabled === false) continue;
    // A test that refs no model (it checks macros, or only seeds) is the project's: `almanac test "*"` runs it.
    const checked = modelsCheckedBy(parsed.refs, models);
    const severity = String(parsed.configured.severity ?? "error").toLowerCase();
    if (severity !== "warn" && severity !== "error") {
      throw new AlmanacError(
        "ALMANAC_BAD_PROJECT_CONFIG",
        `${file.path}: severity must be warn or error, got ${severity}`,
        {
          file: file.path,
        },
      );
    }
    const stored = storeFailuresSettingsOf(parsed.configured, file.path);
    for (const model of checked.length === 0 ? [projectAsset] : checked) {
      tests.push({
        name: file.name,
        kind: "singular",
        model,
        asset: model,
        path: file.path,
        severity,
        rawSql,
        ...stored,
      });
    }
  }
  return { tests, warnings };
}

/** The models and seeds a generic test reads besides its own model (`to: ref('customers')`). */
function otherRefsOf(test: DataTest): string[] {
  const values = [test.to === undefined ? undefined : `ref('${test.to}')`, ...Object.values(test.args ?? {})];
  return values.map(refTarget).filter((name): name is string => name !== undefined && name !== test.model);
}
