import { AlmanacError } from "@almanac/errors";
import { renderHooks } from "./render-hooks.js";
import { compiledEnvironment, ModelRenderScope } from "./render-model.js";
import type { Model, ModelConfig, Project, RenderContext, RenderedHook } from "./types.js";

/*
 * Renders of nodes that are not models, each with a stand-in node as `model` and `this`: seed
 * hooks, the run's on-run-start/on-run-end hooks, and operations (`almanac run-operation`).
 */

/** A seed's hooks rendered for one `almanac seed`: `this` is the seed's table. */
export interface RenderedSeedHooks {
  readonly preHooks: readonly RenderedHook[];
  readonly postHooks: readonly RenderedHook[];
}

/**
 * Renders the `pre-hook` / `post-hook` of seed `seedName` (dbt_project.yml `seeds:` and the
 * seed's properties yml `config:`, outer levels first) with the seed as `this` and `model`.
 * Throws ALMANAC_UNKNOWN_ASSET for an unknown seed, or the hook's template error.
 */
export function renderSeedHooks(project: Project, seedName: string, ctx: RenderContext): RenderedSeedHooks {
  const seed = project.seeds.get(seedName);
  if (seed === undefined) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no seed named "${seedName}"`, { asset: seedName });
  }
  const config = { tags: [], enabled: true, on_schema_change: "ignore", ...seed.config, materialized: "seed" };
  const resource = standIn(seed.name, seed.path, config);
  const scope = (where: string) => scopeOf(project, resource, ctx, where);
  const environment = compiledEnvironment(project);
  return {
    preHooks: renderHooks(environment, seed.path, "pre-hook", hookList(seed.config.pre_hook), scope),
    postHooks: renderHooks(environment, seed.path, "post-hook", hookList(seed.config.post_hook), scope),
  };
}

/** Names the on-run-end template sees besides the project's context. */
export interface RunEndVariables {
  /** Schemas of the run's models (dbt's `schemas`), each once. */
  readonly schemas: readonly string[];
  /** dbt's `results`, as far as Almanac provides them (see docs/dbt-compatibility.md). */
  readonly results: readonly unknown[];
}

/**
 * Renders dbt_project.yml's `on-run-start` or `on-run-end` hooks with the project's context
 * (`var()`, macros, `target`, `ref()`), the hook standing in as model the way dbt names hook
 * nodes (`<project>-on-run-start-0`). `on-run-end` also sees `schemas` and `results`.
 */
export function renderRunHooks(
  project: Project,
  kind: "on-run-start" | "on-run-end",
  ctx: RenderContext,
  variables: Partial<RunEndVariables> = {},
): RenderedHook[] {
  const hooks = kind === "on-run-start" ? project.runHooks?.onRunStart : project.runHooks?.onRunEnd;
  const environment = compiledEnvironment(project);
  let index = 0;
  return renderHooks(
    environment,
    "dbt_project.yml",
    kind,
    hooks,
    (where) => {
      const name = `${project.name}-${kind}-${index++}`;
      const config = { tags: [], enabled: true, on_schema_change: "ignore", materialized: "operation" };
      return scopeOf(project, standIn(name, "dbt_project.yml", config), ctx, where);
    },
    variables,
  );
}

/**
 * dbt's `run-operation`: calls macro `macroName` (`name` or `package.name`) with `args` as
 * keyword arguments, an operation node standing in as model. `ctx.warehouse` answers its
 * queries; its adapter calls (`create_schema`, `drop_relation`…) run at once, outside any
 * transaction, as dbt runs them. Returns what the macro rendered.
 */
export function runOperation(
  project: Project,
  macroName: string,
  args: Readonly<Record<string, unknown>>,
  ctx: Omit<RenderContext, "command">,
): string {
  const config = { tags: [], enabled: true, on_schema_change: "ignore", materialized: "operation" };
  const where = `macro ${macroName}`;
  const operation = standIn(`${project.name}-operation-${macroName}`, where, config);
  const scope = new ModelRenderScope(
    project,
    operation,
    { ...ctx, command: "run-operation" },
    false,
    compiledEnvironment(project).schemaNamer,
    where,
  );
  return compiledEnvironment(project).renderMacro(macroName, args, scope);
}

function hookList(value: unknown): string[] {
  // loadProject already checked and normalized seed hooks to lists of strings.
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function standIn(name: string, path: string, config: Record<string, unknown>): Model {
  return {
    name,
    path,
    rawSql: "",
    config: config as unknown as ModelConfig,
    refs: [],
    sources: [],
    folders: [],
    seedRefs: [],
    columns: [],
  };
}

function scopeOf(project: Project, resource: Model, ctx: RenderContext, where: string): ModelRenderScope {
  return new ModelRenderScope(project, resource, ctx, false, compiledEnvironment(project).schemaNamer, where);
}
