import { AlmanacError } from "@almanac/errors";
import { checkSettingsOf, type DataTest, failingRowsQuery, projectAsset, verdictQuery } from "./data-tests.js";
import { lookupEnvVar, lookupVar, targetValue } from "./dbt-context.js";
import { type DbtGraph, dbtGraph } from "./dbt-graph.js";
import { isMapping, pyStr } from "./jinja-compat/python-values.js";
import type { WarehouseQuery } from "./query-table.js";
import { RelationValue, relationFor } from "./relation.js";
import { compiledEnvironment } from "./render-model.js";
import { storeFailuresSettingsOf } from "./store-failures.js";
import type { CompiledTemplate, ModelValue, RenderScope, TargetValue } from "./template-environment.js";
import type { Project, Relation, Target } from "./types.js";

/** What rendering a test needs. */
export interface DataTestContext {
  readonly target: Target;
  /** Window and run vars, as the model's render had them. */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly warehouse?: WarehouseQuery;
  /**
   * Where the tested model's rows are read from instead of its relation: a view of one
   * partition's window, so a partition's check looks at that partition only. Default: the
   * whole relation.
   */
  readonly scoped?: Relation;
}

const testTemplates = new WeakMap<Project, Map<string, CompiledTemplate>>();

/** Where `ref(name)` points under `target`: a model's or a seed's relation. */
function resourceRelation(project: Project, name: string, target: Target): RelationValue {
  const namer = compiledEnvironment(project).schemaNamer;
  const model = project.models.get(name);
  if (model?.config.materialized === "ephemeral") {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `a test cannot ref the ephemeral model "${name}": it has no relation`,
    );
  }
  const resource = model ?? project.seeds.get(name);
  if (resource === undefined) {
    throw new AlmanacError("ALMANAC_UNKNOWN_REF", `ref("${name}") names no model or seed`, { ref: name });
  }
  const relation = relationFor(target, resource.name, resource.config, namer);
  return new RelationValue(relation.schema, relation.identifier, target.database);
}

/** The dbt context of a singular test: `ref(<checked model>)` reads the scoped rows. */
class DataTestScope implements RenderScope {
  readonly file: string;
  readonly this: RelationValue;
  readonly target: TargetValue;
  readonly isIncremental = false;
  readonly execute = true;
  readonly flags = { WHICH: "test" };

  get graph(): DbtGraph {
    return dbtGraph(this.#project, this.#ctx.target, compiledEnvironment(this.#project).schemaNamer);
  }
  readonly model: ModelValue;
  readonly warehouse: WarehouseQuery | undefined;
  readonly #project: Project;
  readonly #test: DataTest;
  readonly #ctx: DataTestContext;

  constructor(project: Project, test: DataTest, ctx: DataTestContext) {
    this.#project = project;
    this.#test = test;
    this.#ctx = ctx;
    this.file = test.path;
    this.target = targetValue(ctx.target);
    this.model = Object.freeze({ name: test.name, config: { severity: test.severity }, original_file_path: test.path });
    this.warehouse = ctx.warehouse;
    // dbt's `this` in a test is the test's own node; Almanac gives the checked model's relation.
    this.this = test.model === projectAsset ? new RelationValue(ctx.target.schema, test.name) : this.ref(test.model);
  }

  ref(name: string): RelationValue {
    const scoped = this.#ctx.scoped;
    if (name === this.#test.model && scoped !== undefined) return new RelationValue(scoped.schema, scoped.identifier);
    return resourceRelation(this.#project, name, this.#ctx.target);
  }

  source(sourceName: string, tableName: string): RelationValue {
    const table = this.#project.sources.get(`${sourceName}.${tableName}`);
    if (table === undefined) {
      throw new AlmanacError("ALMANAC_UNKNOWN_SOURCE", `source("${sourceName}", "${tableName}") is not defined`, {
        source: sourceName,
        table: tableName,
      });
    }
    return new RelationValue(table.schema, table.identifier, undefined, table.quoting);
  }

  /** What `config()` in the test (a singular test's file, a generic test's macro) set. */
  readonly configured: Record<string, unknown> = {};

  config(settings: Readonly<Record<string, unknown>>): void {
    Object.assign(this.configured, settings);
  }

  configValue(key: string): unknown {
    if (key === "severity") return this.#test.severity;
    // The yml's store_failures settings win over the test's config(), as they do for the check.
    const stored = this.#test.storeFailuresAs;
    if (key === "store_failures" && stored !== undefined) return stored !== "ephemeral";
    if (key === "store_failures_as" && stored !== undefined) return stored;
    return this.configured[key];
  }

  variable(name: string, fallback?: { value: unknown }): unknown {
    return lookupVar(name, fallback, [this.#ctx.vars, this.#project.vars]);
  }

  envVar(name: string, fallback?: { value: unknown }): unknown {
    return lookupEnvVar(name, fallback, this.#ctx.env ?? process.env, this.#project.envVarPrefixes);
  }
}

function sqlLiteral(value: unknown): string {
  return `'${pyStr(value).replaceAll("'", "''")}'`;
}

/**
 * The query of test `test`: it selects the failing rows (none: the test passes). The four
 * built-in generic tests use dbt's own definitions; test macros and singular tests render with
 * the dbt context, `ref` and all. With `ctx.scoped`, the checked model is read from that
 * relation instead of its own.
 */
export function renderDataTest(project: Project, test: DataTest, ctx: DataTestContext): string {
  return renderWithScope(project, test, ctx).sql;
}

/** What a check runs for one test. */
export interface CheckQueries {
  /** The query that judges it (see `verdictQuery`). */
  readonly verdict: string;
  /** Its failing rows, as `store_failures` writes them (see `failingRowsQuery`). */
  readonly failingRows: string;
  /** The test with what `config()` in it set under what its yml set (`fail_calc`, `store_failures_as`…). */
  readonly test: DataTest;
}

/**
 * The queries of `test`'s check: the verdict (its failing rows counted by `fail_calc` and
 * compared with `warn_if` / `error_if`) and the failing rows themselves, with the settings from
 * the yml or from `config()` in the test.
 */
export function renderCheck(project: Project, test: DataTest, ctx: DataTestContext): CheckQueries {
  const { sql, configured } = renderWithScope(project, test, ctx);
  const fromTest = { ...checkSettingsOf(configured, test.path), ...storeFailuresSettingsOf(configured, test.path) };
  const settled = { ...fromTest, ...definedOf(test) };
  return { verdict: verdictQuery(settled, sql), failingRows: failingRowsQuery(settled, sql), test: settled };
}

function definedOf(test: DataTest): DataTest {
  return Object.fromEntries(Object.entries(test).filter(([, value]) => value !== undefined)) as unknown as DataTest;
}

function renderWithScope(
  project: Project,
  test: DataTest,
  ctx: DataTestContext,
): { sql: string; configured: Readonly<Record<string, unknown>> } {
  if (test.kind === "singular" || test.kind === "macro") {
    const environment = compiledEnvironment(project);
    const scope = new DataTestScope(project, test, ctx);
    if (test.kind === "singular") {
      return {
        sql: environment.render(templateOf(project, test.path, test.rawSql ?? ""), scope),
        configured: scope.configured,
      };
    }
    const args: Record<string, unknown> = { model: testedModel(project, test, ctx) };
    for (const [name, value] of Object.entries(test.args ?? {})) {
      args[name] = name === "column_name" ? value : renderArgument(project, test, value, scope);
    }
    return { sql: environment.renderTest(test.macro ?? "", args, scope), configured: scope.configured };
  }
  const model = testedModel(project, test, ctx);
  const column = test.column ?? "";
  const sql = (() => {
    switch (test.kind) {
      case "not_null":
        return `select * from ${model} where ${column} is null`;
      case "unique":
        return `select ${column} as unique_field, count(*) as n_records from ${model}
where ${column} is not null group by ${column} having count(*) > 1`;
      case "accepted_values":
        return `select value_field, n_records from (
  select ${column} as value_field, count(*) as n_records from ${model} group by ${column}
) all_values
where value_field not in (${(test.values ?? []).map(sqlLiteral).join(", ")})`;
      case "relationships": {
        const parent = resourceRelation(project, test.to ?? "", ctx.target).render();
        return `select from_field from (
  select ${column} as from_field from ${model} where ${column} is not null
) child
left join (select ${test.field} as to_field from ${parent}) parent on child.from_field = parent.to_field
where parent.to_field is null`;
      }
    }
  })();
  return { sql, configured: {} };
}

/**
 * The model as a test reads it: its relation (or the partition's scoped view), narrowed by
 * `where` to a subquery, as dbt's `get_where_subquery` hands it to test macros.
 */
function testedModel(project: Project, test: DataTest, ctx: DataTestContext): RelationValue | string {
  const scoped = ctx.scoped;
  const base = scoped
    ? new RelationValue(scoped.schema, scoped.identifier)
    : resourceRelation(project, test.model, ctx.target);
  return test.where === undefined ? base : `(select * from ${base.render()} where ${test.where}) dbt_subquery`;
}

function templateOf(project: Project, path: string, source: string): CompiledTemplate {
  let templates = testTemplates.get(project);
  if (templates === undefined) {
    templates = new Map();
    testTemplates.set(project, templates);
  }
  const key = `${path}\0${source}`;
  let template = templates.get(key);
  if (template === undefined) {
    template = compiledEnvironment(project).compile(path, source);
    templates.set(key, template);
  }
  return template;
}

/** A call dbt renders in a test argument as if written `{{ … }}` (dbt's looks_like_func). */
const looksLikeCall = /^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$/s;
/** `ref('m')`, `ref('package', 'm')`, `source('s', 't')`: relations, passed to the macro as such. */
const relationCall = /^\s*(ref|source)\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?\)\s*$/;

/**
 * A test argument as dbt hands it to the test macro: strings that look like `ref(…)`,
 * `source(…)`, `var(…)` or `env_var(…)` are evaluated, strings with Jinja are rendered, lists
 * and dicts argument by argument; anything else as written.
 */
function renderArgument(project: Project, test: DataTest, value: unknown, scope: DataTestScope): unknown {
  if (Array.isArray(value)) return value.map((item) => renderArgument(project, test, item, scope));
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderArgument(project, test, item, scope)]),
    );
  }
  if (typeof value !== "string") return value;
  const relation = relationCall.exec(value);
  if (relation) {
    const [, fn, , first = "", , second] = relation;
    if (fn === "ref") return scope.ref(second ?? first);
    if (second !== undefined) return scope.source(first, second);
  }
  const source = looksLikeCall.test(value) ? `{{ ${value} }}` : value;
  if (!source.includes("{{") && !source.includes("{%")) return value;
  return compiledEnvironment(project).render(templateOf(project, test.path, source), scope);
}
