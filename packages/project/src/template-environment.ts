import { randomUUID } from "node:crypto";
import { AlmanacError } from "@almanac/errors";
import nunjucks from "nunjucks";
import { dbtAdapter } from "./dbt-adapter.js";
import { dbtFlags, dbtVersion, defaultEnvVarPrefixes, lookupEnvVar, targetValue } from "./dbt-context.js";
import { dbtCrossDbMacros } from "./dbt-cross-db-macros.js";
import { type DbtGraph, emptyDbtGraph } from "./dbt-graph.js";
import { datetimeModule, PyAwareDateTime } from "./jinja-compat/datetime-module.js";
import { installJinjaFilters } from "./jinja-compat/filters.js";
import { itertoolsModule } from "./jinja-compat/itertools-module.js";
import { compileJinja } from "./jinja-compat/jinja-compiler.js";
import { JinjaFrame, jinjaRuntime, packageJinjaRuntime } from "./jinja-compat/jinja-runtime.js";
import { returnFromMacro } from "./jinja-compat/macro-return.js";
import { installPythonGlobals } from "./jinja-compat/python-globals.js";
import { pyStr, pyTruthy, splitArguments } from "./jinja-compat/python-values.js";
import { pytzModule } from "./jinja-compat/pytz-module.js";
import { reModule } from "./jinja-compat/re-module.js";
import { QueryTable, type WarehouseQuery } from "./query-table.js";
import { type RelationType, RelationValue, type SchemaNamer } from "./relation.js";
import { noteMacroOrigin, templateFailure } from "./template-errors.js";
import type { MacroFile, Target } from "./types.js";

/** dbt's `target` as templates see it. */
export interface TargetValue {
  readonly name: string;
  readonly schema: string;
  readonly type: string;
  readonly database: string;
  readonly dbname: string;
}

/** dbt's `model` as templates see it (the node being rendered). */
export interface ModelValue {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly original_file_path: string;
  /** dbt's `model.batch` (`id`, `event_time_start`, `event_time_end`) while a microbatch model renders a batch. */
  readonly batch?: { readonly id: string; readonly event_time_start: string; readonly event_time_end: string };
}

/**
 * What the dbt context answers while one model renders. The parse at load and the real render
 * implement it differently (record vs. resolve); the templates are the same.
 */
export interface RenderScope {
  /** Model file being rendered, for messages. */
  readonly file: string;
  readonly this: RelationValue;
  readonly target: TargetValue;
  readonly isIncremental: boolean;
  /** dbt's `execute`: false during the parse at load, true when rendering for a run. */
  readonly execute: boolean;
  readonly model: ModelValue;
  ref(name: string): RelationValue;
  source(sourceName: string, tableName: string): RelationValue;
  config(settings: Readonly<Record<string, unknown>>): void;
  configValue(key: string): unknown;
  variable(name: string, fallback?: { value: unknown }): unknown;
  envVar(name: string, fallback?: { value: unknown }): unknown;
  /**
   * The warehouse, queried synchronously, when the render has one (a run, or `almanac compile`
   * with a database). Without it, `run_query` with `execute` true is an error.
   */
  readonly warehouse?: WarehouseQuery;
  /**
   * Statements `adapter.drop_relation` and its peers queued for the step's connection (see
   * dbt-adapter.ts). Absent where a render may not change the database (a data test).
   */
  readonly adapterStatements?: string[];
  /** True where no step's transaction exists (`almanac run-operation`): adapter changes run at once. */
  readonly statementsRunAtOnce?: boolean;
  /** dbt's `graph` (see dbt-graph.ts); empty where a render has no project (the parse). */
  readonly graph?: DbtGraph;
  /** dbt's `flags` that differ from their defaults (see dbtFlags). */
  readonly flags?: Readonly<Record<string, unknown>>;
  /**
   * Where `log(msg, info=True)` goes (RenderContext.onLog). Absent where nobody would read it:
   * the parse at load (which renders every model on each load) and data tests.
   */
  readonly onLog?: (message: string) => void;
}

/** A compiled model template. */
export type CompiledTemplate = nunjucks.Template;

function fallbackOf(positional: readonly unknown[], keywords: Record<string, unknown>, index: number) {
  if (positional.length > index) return { value: positional[index] };
  if ("default" in keywords) return { value: keywords.default };
  return undefined;
}

function stringArgument(fn: string, value: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${fn}() needs a name, got ${JSON.stringify(value)}`);
}

// Parts of nunjucks its typings leave out.
interface EnvironmentInternals {
  globals: Record<string, unknown>;
  addTest(name: string, test: (value: unknown) => boolean): void;
}

interface NunjucksInternals {
  getExported(
    ctx: object,
    frame: JinjaFrame,
    cb: (error: Error | null, exported: Record<string, unknown>) => void,
  ): void;
}

/** How a project's macros resolve, beside the macros themselves. */
export interface TemplateEnvironmentOptions {
  /** Prefixes `env_var()` may read (default `DBT_`, `ALMANAC_`). */
  readonly envVarPrefixes?: readonly string[];
  /** The root project's name: its macros are the ones without a package. */
  readonly projectName?: string;
  /** dbt_project.yml `dispatch:`: macro namespace → packages to search, in order. */
  readonly dispatch?: ReadonlyMap<string, readonly string[]>;
}

/**
 * One nunjucks environment per project: autoescape off, undefined output is an error, and the
 * dbt context (`ref`, `source`, `config`, `var`, `this`, `is_incremental`, `env_var`, `target`,
 * `adapter`, every project macro) installed as globals that delegate to the scope of the model
 * being rendered. Delegating lets macros compile once and still see the caller's `this`.
 */
export class TemplateEnvironment {
  readonly #env: nunjucks.Environment;
  readonly #scopes: RenderScope[] = [];
  /** Project macros by name, for `adapter.dispatch`. */
  readonly #macros = new Map<string, { fn: (...args: unknown[]) => unknown; file: string; package?: string }>();

  /** Prefixes `env_var()` may read inside `generate_schema_name`, which runs outside any model render. */
  readonly envVarPrefixes: readonly string[];

  readonly #options: TemplateEnvironmentOptions;

  constructor(macroFiles: readonly MacroFile[], options: TemplateEnvironmentOptions = {}) {
    this.#options = options;
    this.envVarPrefixes = options.envVarPrefixes ?? defaultEnvVarPrefixes;
    // dev: true keeps lineno/colno/cause on errors instead of flattening them to a message.
    this.#env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, dev: true });
    this.#installContext();
    // dbt also puts the root project's macros under its name (`{{ my_project.get_dates() }}`,
    // as dbt_date's integration project calls its own); a global of that name (`dbt`) wins.
    const root = options.projectName;
    if (root !== undefined && !(this.#env as unknown as EnvironmentInternals).globals[root]) {
      this.#env.addGlobal(root, this.#rootMacros);
    }
    for (const file of macroFiles) this.#addMacroFile(file);
    const namer = this.#macros.get("generate_schema_name");
    this.schemaNamer = namer && ((target, customSchema, node) => this.#nameSchema(namer, target, customSchema, node));
  }

  /**
   * The project's `generate_schema_name(custom_schema_name, node)` as a function, or undefined
   * when the project keeps dbt's default. Set once the macros are loaded.
   */
  readonly schemaNamer: SchemaNamer | undefined;

  #nameSchema(
    macro: { fn: (...args: unknown[]) => unknown; file: string },
    target: Target,
    customSchema: string | undefined,
    node: { readonly name: string; readonly config: Readonly<Record<string, unknown>> },
  ): string {
    // The macro reads `target` (and may call `log`); it runs in a scope of its own because
    // relations are also named outside any render (relationOf).
    const refuse = (what: string) => () => {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${what} is not available inside generate_schema_name`);
    };
    const scope: RenderScope = {
      file: macro.file,
      this: new RelationValue(target.schema, node.name, target.database),
      target: targetValue(target),
      isIncremental: false,
      execute: true,
      model: { name: node.name, config: node.config, original_file_path: macro.file },
      ref: refuse("ref()"),
      source: refuse("source()"),
      config: refuse("config()"),
      configValue: (key) => node.config[key],
      variable: refuse("var()"),
      envVar: (name, fallback) => lookupEnvVar(name, fallback, process.env, this.envVarPrefixes),
    };
    this.#scopes.push(scope);
    try {
      const schema = String(macro.fn(customSchema ?? null, { ...node, resource_type: "model" })).trim();
      if (schema === "") {
        throw new AlmanacError(
          "ALMANAC_TEMPLATE_ERROR",
          `generate_schema_name returned an empty schema for ${node.name}`,
        );
      }
      return schema;
    } catch (error) {
      throw templateFailure(error, macro.file);
    } finally {
      this.#scopes.pop();
    }
  }

  /** The scope of the model being rendered; macros and globals read it. */
  get #scope(): RenderScope {
    const scope = this.#scopes[this.#scopes.length - 1];
    if (scope === undefined) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "the dbt context is only available while rendering a model");
    }
    return scope;
  }

  /** Compiles a model template; a syntax error becomes ALMANAC_TEMPLATE_ERROR at `file:line:column`. */
  compile(file: string, source: string): CompiledTemplate {
    try {
      return this.#compile(file, source);
    } catch (error) {
      throw templateFailure(error, file);
    }
  }

  // Compiled with the Jinja parser and run against the Jinja runtime (see jinja-compat/).
  #compile(file: string, source: string, runtime = jinjaRuntime): nunjucks.Template {
    const props = compileJinja(source, this.#env as unknown as Parameters<typeof compileJinja>[1], file);
    const root = props.root as (...args: unknown[]) => void;
    props.root = (env: unknown, context: unknown, frame: unknown, _runtime: unknown, cb: unknown) =>
      root(env, context, frame, runtime, cb);
    return new nunjucks.Template({ type: "code", obj: props } as unknown as string, this.#env, file, true);
  }

  /**
   * Renders `template` with `scope` as the dbt context; errors are located in `scope.file`.
   * `variables` are extra names the template sees (`schemas` in on-run-end). Default none.
   */
  render(template: CompiledTemplate, scope: RenderScope, variables: Readonly<Record<string, unknown>> = {}): string {
    this.#scopes.push(scope);
    try {
      // A Jinja frame at the root gives every loop and macro below it Jinja's scoping.
      return (template.render as (ctx: object, frame: JinjaFrame) => string)({ ...variables }, new JinjaFrame());
    } catch (error) {
      throw templateFailure(error, scope.file);
    } finally {
      this.#scopes.pop();
    }
  }

  /** Whether generic test `name` (`my_test`, `dbt_utils.expression_is_true`) has its macro `test_<name>`. */
  hasTestMacro(name: string): boolean {
    return this.#macroNamed(testMacroName(name)) !== undefined;
  }

  /**
   * Renders the generic test `name` (its macro `test_<name>`, from the project or, qualified,
   * from a package) with `args` as keyword arguments: the SQL that selects the failing rows.
   */
  renderTest(name: string, args: Readonly<Record<string, unknown>>, scope: RenderScope): string {
    return this.renderMacro(testMacroName(name), args, scope, "test macro");
  }

  /**
   * Calls macro `name` (`my_macro` or `package.my_macro`) with `args` as keyword arguments and
   * returns what it renders (`almanac run-operation`, generic tests). Throws
   * ALMANAC_TEMPLATE_ERROR for an unknown macro or the macro's error.
   */
  renderMacro(name: string, args: Readonly<Record<string, unknown>>, scope: RenderScope, what = "macro"): string {
    const macro = this.#macroNamed(name);
    if (macro === undefined) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `no ${what} ${name} is defined`, { file: scope.file });
    }
    this.#scopes.push(scope);
    try {
      return String(macro({ ...args, __keywords: true }));
    } catch (error) {
      throw templateFailure(error, scope.file);
    } finally {
      this.#scopes.pop();
    }
  }

  #macroNamed(name: string): ((...args: unknown[]) => unknown) | undefined {
    const dot = name.lastIndexOf(".");
    if (dot === -1) return this.#macros.get(name)?.fn;
    const packageName = name.slice(0, dot);
    const macros = packageName === this.#options.projectName ? this.#rootMacros : this.#namespaces.get(packageName);
    const macro = macros?.[name.slice(dot + 1)];
    return typeof macro === "function" ? (macro as (...args: unknown[]) => unknown) : undefined;
  }

  #installContext(): void {
    const env = this.#env;
    const internals = env as unknown as EnvironmentInternals;
    const globals = internals.globals;
    const scoped = (name: string, read: (scope: RenderScope) => unknown) =>
      Object.defineProperty(globals, name, { get: () => read(this.#scope), enumerable: true });
    scoped("this", (scope) => scope.this);
    scoped("target", (scope) => scope.target);
    scoped("flags", (scope) => dbtFlags(scope.flags));
    scoped("graph", (scope) => scope.graph ?? emptyDbtGraph);
    scoped("execute", (scope) => scope.execute);
    scoped("model", (scope) => scope.model);
    env.addGlobal("ref", (...args: unknown[]) => {
      // `ref('package', 'model')` and `ref('model', v=2)`: the model name is the last positional.
      const { positional, keywords } = splitArguments(args);
      const name = stringArgument("ref", positional[positional.length - 1]);
      // A versioned model's file is `<name>_v<version>.sql`, which is the model Almanac loads.
      const version = keywords.version ?? keywords.v;
      return this.#scope.ref(version === undefined || version === null ? name : `${name}_v${String(version)}`);
    });
    env.addGlobal("source", (...args: unknown[]) => {
      const { positional } = splitArguments(args);
      return this.#scope.source(stringArgument("source", positional[0]), stringArgument("source", positional[1]));
    });
    const config = (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      // dbt also accepts `config({'materialized': 'table'})`: a dict passed positionally.
      const settings: Record<string, unknown> = {};
      for (const arg of positional) if (typeof arg === "object" && arg !== null) Object.assign(settings, arg);
      Object.assign(settings, keywords);
      this.#scope.config(settings);
      return "";
    };
    env.addGlobal(
      "config",
      Object.assign(config, {
        get: (key: string, fallback?: unknown) => this.#scope.configValue(key) ?? fallback,
        require: (key: string) => {
          const value = this.#scope.configValue(key);
          if (value === undefined) {
            throw new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `config "${key}" is required here but not set`);
          }
          return value;
        },
      }),
    );
    env.addGlobal("var", (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      return this.#scope.variable(stringArgument("var", positional[0]), fallbackOf(positional, keywords, 1));
    });
    env.addGlobal("env_var", (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      return this.#scope.envVar(stringArgument("env_var", positional[0]), fallbackOf(positional, keywords, 1));
    });
    env.addGlobal("is_incremental", () => this.#scope.isIncremental);
    // Tests select all columns of failing rows only when they are stored (`store_failures`).
    env.addGlobal("should_store_failures", () => this.#scope.configValue("store_failures") === true);
    env.addGlobal("return", returnFromMacro);
    env.addGlobal("log", (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      // Without info=True dbt writes to its debug log file only; Almanac keeps no such file
      // and the project package has no logger, so those messages are dropped.
      if (pyTruthy(positional[1] ?? keywords.info)) this.#scope.onLog?.(pyStr(positional[0] ?? keywords.msg));
      return "";
    });
    // dbt prints to its console; a render has none, and SQL must not change with it.
    env.addGlobal("print", () => "");
    env.addGlobal("exceptions", {
      raise_compiler_error: (message: unknown) => {
        throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", String(message));
      },
      warn: () => "",
    });
    env.addGlobal("dbt", dbtCrossDbMacros);
    // dbt's own macros are also global (`{{ type_string() }}`); a project or package macro of the same name wins.
    for (const [name, macro] of Object.entries(dbtCrossDbMacros)) env.addGlobal(name, macro);
    // dbt's default naming macros, callable from templates (codegen does); a project's own win.
    const trimmed = (value: unknown) => (value === null || value === undefined ? "" : String(value).trim());
    env.addGlobal("generate_schema_name", (custom: unknown) => {
      const schema = this.#scope.target.schema;
      return trimmed(custom) === "" ? schema : `${schema}_${trimmed(custom)}`;
    });
    env.addGlobal("generate_alias_name", (custom: unknown, node: { name?: unknown } | null) =>
      trimmed(custom) === "" ? String(node?.name ?? this.#scope.model.name) : trimmed(custom),
    );
    env.addGlobal("generate_database_name", (custom: unknown) =>
      trimmed(custom) === "" ? this.#scope.target.database : trimmed(custom),
    );
    env.addGlobal("modules", { datetime: datetimeModule, pytz: pytzModule, re: reModule, itertools: itertoolsModule });
    // dbt's invocation globals, one per loaded project (an Almanac process is one invocation):
    // packages print them into audit columns or compare the version before using a feature.
    env.addGlobal("invocation_id", randomUUID());
    // dbt sets run_started_at to datetime.now(pytz.utc): aware, printing +00:00.
    env.addGlobal("run_started_at", new PyAwareDateTime(new Date(), pytzModule.utc));
    env.addGlobal("dbt_version", dbtVersion);
    env.addGlobal("run_query", (sql: unknown) => this.#runQuery(String(sql)));
    // `{% call statement('name', fetch_result=True) %}select …{% endcall %}` then `load_result('name')`.
    env.addGlobal("statement", (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      const name = String(positional[0] ?? keywords.name ?? "main");
      const caller = keywords.caller;
      const sql = typeof caller === "function" ? String(caller()) : "";
      const table = this.#runQuery(sql);
      if (table !== null) {
        const data = table.rows.map((row) => [...row]);
        this.#statementResults(this.#scope).set(name, {
          table,
          data,
          response: { rows_affected: data.length, code: "SELECT" },
        });
      }
      return "";
    });
    env.addGlobal("load_result", (name: unknown) => this.#statementResults(this.#scope).get(String(name)) ?? null);
    const adapter = dbtAdapter({
      scope: () => this.#scope,
      runQuery: (sql) => this.#runQuery(sql),
      dispatch: (name, namespace) => this.#dispatch(name, namespace),
    });
    env.addGlobal("adapter", adapter);
    env.addGlobal("load_relation", adapter.load_relation);
    env.addGlobal("api", {
      Relation: {
        // `api.Relation.create(database=…, schema=…, identifier=…, type=…)`.
        create: (...args: unknown[]) => {
          const { positional, keywords } = splitArguments(args);
          const [database, schema, identifier, type] = ["database", "schema", "identifier", "type"].map(
            (name, i) => keywords[name] ?? positional[i] ?? null,
          );
          return new RelationValue(
            schema === null ? "" : String(schema),
            identifier === null ? "" : String(identifier),
            database === null || database === "" ? undefined : String(database),
            undefined,
            type === null ? null : (String(type) as RelationType),
          );
        },
      },
    });
    installJinjaFilters(env);
    installPythonGlobals(env);
    env.addFilter("as_bool", (value: unknown) => value === true || String(value).toLowerCase() === "true");
    env.addFilter("as_number", (value: unknown) => Number(value));
    env.addFilter("as_text", (value: unknown) => String(value));
  }

  readonly #results = new WeakMap<RenderScope, Map<string, unknown>>();

  #statementResults(scope: RenderScope): Map<string, unknown> {
    let results = this.#results.get(scope);
    if (results === undefined) {
      results = new Map();
      this.#results.set(scope, results);
    }
    return results;
  }

  /**
   * dbt's `run_query`: None while `execute` is false (the parse at load, `almanac compile`
   * without a database), the rows otherwise. Queries run on the warehouse through a
   * synchronous worker connection, so they see committed data.
   */
  #runQuery(sql: string): QueryTable | null {
    const scope = this.#scope;
    if (!scope.execute) return null;
    if (scope.warehouse === undefined) {
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        "run_query needs a database connection, and this render has none: guard it with {% if execute %} or render with a warehouse (almanac compile uses DATABASE_URL / WAREHOUSE_URL)",
      );
    }
    return new QueryTable(scope.warehouse.query(sql));
  }

  /**
   * dbt's dispatch for the postgres adapter: in each package of the search order (the root
   * project's `dispatch:` entry for the namespace, else the root project then the namespace),
   * `postgres__x` then `default__x`; without a namespace, or when those have none, any macro
   * `postgres__x`, `default__x` or `x` (the root project's first).
   */
  #dispatch(name: string, namespace: string | undefined): (...args: unknown[]) => unknown {
    const prefixed = [`postgres__${name}`, `default__${name}`];
    if (namespace !== undefined) {
      const root = this.#options.projectName;
      const order = this.#options.dispatch?.get(namespace) ?? [...(root === undefined ? [] : [root]), namespace];
      for (const packageName of order) {
        const macros = packageName === root ? this.#rootMacros : this.#namespaces.get(packageName);
        for (const candidate of prefixed) {
          const macro = macros?.[candidate];
          if (typeof macro === "function") return macro as (...args: unknown[]) => unknown;
        }
      }
    }
    for (const candidate of [...prefixed, name]) {
      const macro = this.#macros.get(candidate);
      if (macro) return macro.fn;
    }
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `adapter.dispatch("${name}") found no macro postgres__${name}, default__${name} or ${name}`,
    );
  }

  /** The root project's own macros by name (for `dispatch:` search orders naming the project). */
  readonly #rootMacros: Record<string, unknown> = {};

  /** Macro files of dbt packages that could not be compiled; their macros are unavailable. */
  readonly skippedPackageFiles: string[] = [];

  #addMacroFile(file: MacroFile): void {
    let template: nunjucks.Template;
    let exported: Record<string, unknown> = {};
    try {
      template = this.#compile(file.path, file.source, file.package === undefined ? jinjaRuntime : packageJinjaRuntime);
      // Running the file only defines its macros; a top-level error is reported against the file.
      (template as unknown as NunjucksInternals).getExported({}, new JinjaFrame(), (error, result) => {
        if (error) throw templateFailure(error, file.path);
        exported = result;
      });
    } catch (error) {
      // A package file using Jinja Almanac refuses must not make the whole project unloadable.
      if (file.package !== undefined) {
        const { message } = templateFailure(error, file.path) as Error;
        this.skippedPackageFiles.push(message.startsWith(file.path) ? message : `${file.path}: ${message}`);
        return;
      }
      throw templateFailure(error, file.path);
    }
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== "function") continue;
      const existing = this.#macros.get(name);
      const namespace = file.package === undefined ? undefined : this.#namespace(file.package);
      // A project macro overrides a package's; two packages may share a name (each keeps its own).
      const overrides = existing !== undefined && existing.package !== undefined && file.package === undefined;
      const shadowed = existing !== undefined && file.package !== undefined;
      if (existing && !overrides && !shadowed) {
        throw new AlmanacError(
          "ALMANAC_TEMPLATE_ERROR",
          `macro ${name} is defined twice (${existing.file}, ${file.path})`,
          { file: file.path, macro: name, otherFile: existing.file },
        );
      }
      const macro = value as (...args: unknown[]) => unknown;
      const wrapped = function (this: unknown, ...args: unknown[]) {
        try {
          return macro.apply(this, args);
        } catch (error) {
          noteMacroOrigin(error, { macro: name, file: file.path });
          throw error;
        }
      };
      if (namespace !== undefined) namespace[name] = wrapped;
      else this.#rootMacros[name] = wrapped;
      if (shadowed) continue;
      this.#macros.set(name, { fn: wrapped, file: file.path, package: file.package });
      this.#env.addGlobal(name, wrapped);
    }
  }

  readonly #namespaces = new Map<string, Record<string, unknown>>();

  /** `dbt_utils.star(...)`: a package's macros under its name. */
  #namespace(packageName: string): Record<string, unknown> {
    let namespace = this.#namespaces.get(packageName);
    if (namespace === undefined) {
      namespace = {};
      this.#namespaces.set(packageName, namespace);
      this.#env.addGlobal(packageName, namespace);
    }
    return namespace;
  }
}

/** `test_<name>`, in the package when qualified: `dbt_utils.expression_is_true` → `dbt_utils.test_expression_is_true`. */
function testMacroName(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? `test_${name}` : `${name.slice(0, dot)}.test_${name.slice(dot + 1)}`;
}
