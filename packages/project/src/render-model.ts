import { AlmanacError } from "@almanac/errors";
import { lookupEnvVar, lookupVar, targetValue } from "./dbt-context.js";
import { type DbtGraph, dbtGraph } from "./dbt-graph.js";
import { didYouMean } from "./did-you-mean.js";
import { collectEphemeralCtes, injectCtes } from "./ephemeral-ctes.js";
import { isMicrobatch } from "./microbatch.js";
import { BatchFilteredRelation, batchOf, type MicrobatchBatch, noBatch } from "./microbatch-window.js";
import { mergeConfig, resolveModelConfig } from "./model-config.js";
import type { WarehouseQuery } from "./query-table.js";
import { EphemeralRelation, RelationValue, relationFor, type SchemaNamer, unknownAsset } from "./relation.js";
import { renderHooks, withAdapterStatements } from "./render-hooks.js";
import {
  type CompiledTemplate,
  type ModelValue,
  type RenderScope,
  type TargetValue,
  TemplateEnvironment,
} from "./template-environment.js";
import type { Model, Project, Relation, RenderContext, RenderedModel, Target } from "./types.js";

/** A project's compiled templates: macros once in the environment, models compiled on first use. */
export interface CompiledProject {
  readonly environment: TemplateEnvironment;
  readonly templates: Map<string, CompiledTemplate>;
}

// Keyed by the Project object so compiled templates live exactly as long as the project.
const compiledProjects = new WeakMap<Project, CompiledProject>();

/** Lets `loadProject` hand over the environment and templates it already compiled for the parse. */
export function rememberCompiled(project: Project, compiled: CompiledProject): void {
  compiledProjects.set(project, compiled);
}

function compiledFor(project: Project): CompiledProject {
  let compiled = compiledProjects.get(project);
  if (compiled === undefined) {
    compiled = {
      environment: new TemplateEnvironment(project.macroFiles, {
        envVarPrefixes: project.envVarPrefixes,
        projectName: project.name,
        dispatch: project.dispatch,
      }),
      templates: new Map(),
    };
    compiledProjects.set(project, compiled);
  }
  return compiled;
}

/** The project's template environment (macros compiled once), for callers that name relations or render tests. */
export function compiledEnvironment(project: Project): TemplateEnvironment {
  return compiledFor(project).environment;
}

function templateFor(compiled: CompiledProject, model: Model): CompiledTemplate {
  let template = compiled.templates.get(model.name);
  if (template === undefined) {
    template = compiled.environment.compile(model.path, model.rawSql);
    compiled.templates.set(model.name, template);
  }
  return template;
}

/**
 * The dbt context of one model for one run: refs resolve to relations, ephemerals are noted.
 * Hooks of seeds and of the run render in it too, with a seed or the run standing in as model.
 */
export class ModelRenderScope implements RenderScope {
  readonly file: string;
  readonly this: RelationValue;
  readonly target: TargetValue;
  readonly isIncremental: boolean;
  readonly execute: boolean;
  readonly warehouse: WarehouseQuery | undefined;
  readonly model: ModelValue;
  /** Ephemeral models this render refs, first-seen order. */
  readonly ephemerals: string[] = [];
  readonly adapterStatements: string[] = [];
  readonly flags: Readonly<Record<string, unknown>>;
  readonly statementsRunAtOnce: boolean;
  readonly onLog: ((message: string) => void) | undefined;

  get graph(): DbtGraph {
    return dbtGraph(this.#project, this.#ctx.target, this.#nameSchema);
  }
  configured: Record<string, unknown> = {};
  readonly #project: Project;
  readonly #model: Model;
  readonly #ctx: RenderContext;
  readonly #nameSchema: SchemaNamer | undefined;
  /** Set when a microbatch model renders one batch: refs and sources with event_time are filtered to it. */
  readonly #batch: MicrobatchBatch | undefined;

  constructor(
    project: Project,
    model: Model,
    ctx: RenderContext,
    isIncremental: boolean,
    nameSchema: SchemaNamer | undefined,
    file: string = model.path,
  ) {
    this.#project = project;
    this.#nameSchema = nameSchema;
    this.#batch = isMicrobatch(model)
      ? batchOf(ctx.vars, project.partitions.get(model.config.partitions ?? "")?.type === "hourly")
      : undefined;
    this.model = Object.freeze({
      name: model.name,
      config: model.config,
      original_file_path: model.path,
      batch: this.#batch ?? noBatch,
    });
    this.#model = model;
    this.#ctx = ctx;
    this.file = file;
    this.execute = ctx.execute ?? true;
    this.flags = { FULL_REFRESH: ctx.fullRefresh ?? false, WHICH: ctx.command ?? "run" };
    this.statementsRunAtOnce = ctx.command === "run-operation";
    this.warehouse = ctx.warehouse;
    this.onLog = ctx.onLog;
    this.isIncremental = isIncremental;
    this.target = targetValue(ctx.target);
    this.this =
      model.config.materialized === "ephemeral"
        ? new EphemeralRelation(model.name)
        : relationValue(relationFor(ctx.target, model.name, model.config, nameSchema), ctx.target.database);
  }

  ref(name: string): RelationValue {
    const model = this.#project.models.get(name);
    if (model?.config.materialized === "ephemeral") {
      if (!this.ephemerals.includes(name)) this.ephemerals.push(name);
      return new EphemeralRelation(name);
    }
    const resource = model ?? this.#project.seeds.get(name);
    if (resource === undefined) {
      const known = [...this.#project.models.keys(), ...this.#project.seeds.keys()];
      throw new AlmanacError("ALMANAC_UNKNOWN_REF", `ref("${name}") names no model${didYouMean(name, known)}`, {
        ref: name,
      });
    }
    const relation = relationFor(this.#ctx.target, resource.name, resource.config, this.#nameSchema);
    const eventTime = resource.config.event_time;
    if (this.#batch && typeof eventTime === "string") {
      return new BatchFilteredRelation({ ...relation, database: this.#ctx.target.database }, eventTime, this.#batch);
    }
    return relationValue(relation, this.#ctx.target.database);
  }

  source(sourceName: string, tableName: string): RelationValue {
    const table = this.#project.sources.get(`${sourceName}.${tableName}`);
    if (table === undefined) {
      const known = [...this.#project.sources.keys()];
      const hint = didYouMean(`${sourceName}.${tableName}`, known);
      throw new AlmanacError(
        "ALMANAC_UNKNOWN_SOURCE",
        `source("${sourceName}", "${tableName}") is not defined in any sources: block${hint}`,
        { source: sourceName, table: tableName },
      );
    }
    if (this.#batch && table.eventTime !== undefined) {
      return new BatchFilteredRelation(table, table.eventTime, this.#batch);
    }
    return new RelationValue(table.schema, table.identifier, undefined, table.quoting);
  }

  config(settings: Readonly<Record<string, unknown>>): void {
    this.configured = mergeConfig(this.configured, settings);
  }

  configValue(key: string): unknown {
    return this.configured[key] ?? this.#model.config[key];
  }

  variable(name: string, fallback?: { value: unknown }): unknown {
    const pkg = this.#model.package;
    const projectVars = pkg === undefined ? this.#project.vars : this.#project.packageVars?.get(pkg);
    return lookupVar(name, fallback, [this.#ctx.vars, projectVars]);
  }

  envVar(name: string, fallback?: { value: unknown }): unknown {
    return lookupEnvVar(name, fallback, this.#ctx.env ?? process.env, this.#project.envVarPrefixes);
  }
}

function relationValue(relation: { schema: string; identifier: string }, database?: string): RelationValue {
  return new RelationValue(relation.schema, relation.identifier, database);
}

/**
 * Renders model `modelName` for one run: nunjucks with the dbt context, ephemeral upstreams
 * inlined as `__dbt__cte__<name>` CTEs. Synchronous; templates are compiled once per project.
 * Throws ALMANAC_UNKNOWN_ASSET, or the error of the template (ALMANAC_TEMPLATE_ERROR,
 * ALMANAC_UNKNOWN_REF, ALMANAC_MISSING_VAR…) with `file:line` in message and details.
 */
export function renderModel(project: Project, modelName: string, ctx: RenderContext): RenderedModel {
  const model = project.models.get(modelName);
  if (model === undefined) throw unknownAsset(project, modelName);
  const compiled = compiledFor(project);
  // What the model's own SQL queued through adapter methods runs first, as dbt runs it at render.
  const queued: string[] = [];
  const render = (target: Model, isIncremental: boolean) => {
    const scope = new ModelRenderScope(project, target, ctx, isIncremental, compiled.environment.schemaNamer);
    const sql = compiled.environment.render(templateFor(compiled, target), scope);
    queued.push(...scope.adapterStatements);
    return { sql, scope };
  };
  const main = render(model, ctx.isIncremental && model.config.materialized !== "ephemeral");
  const ctes = collectEphemeralCtes(main.scope.ephemerals, (name) => {
    const ephemeral = project.models.get(name);
    // ref() only records names of ephemeral models it found, so this always exists.
    if (ephemeral === undefined) throw unknownAsset(project, name);
    // An ephemeral is never incremental: it has no table of its own to be incremental against.
    const rendered = render(ephemeral, false);
    return { sql: rendered.sql, ephemerals: rendered.scope.ephemerals };
  });
  const configured = main.scope.configured;
  const config =
    Object.keys(configured).length === 0
      ? model.config
      : resolveModelConfig(model.path, mergeConfig(model.config, configured));
  // Hooks see the model's context (`this`, vars, is_incremental()) as its SQL did.
  const hookScope = (where: string) =>
    new ModelRenderScope(project, model, ctx, main.scope.isIncremental, compiled.environment.schemaNamer, where);
  return {
    name: model.name,
    sql: injectCtes(main.sql, ctes),
    config,
    relation: relationFor(ctx.target, model.name, config, compiled.environment.schemaNamer),
    preHooks: [
      ...(queued.length === 0 ? [] : [{ label: "adapter calls", sql: withAdapterStatements(queued, "") }]),
      ...renderHooks(compiled.environment, model.path, "pre-hook", config.pre_hook, hookScope),
    ],
    postHooks: renderHooks(compiled.environment, model.path, "post-hook", config.post_hook, hookScope),
  };
}

/**
 * Where model `modelName` is written under `target`: the schema dbt's way (`target.schema`,
 * suffixed with a custom schema, or the project's `generate_schema_name` macro) and identifier
 * `alias ?? name`. Throws ALMANAC_UNKNOWN_ASSET.
 */
export function relationOf(project: Project, modelName: string, target: Target): Relation {
  const model = project.models.get(modelName);
  if (model === undefined) throw unknownAsset(project, modelName);
  return relationFor(target, model.name, model.config, compiledFor(project).environment.schemaNamer);
}
