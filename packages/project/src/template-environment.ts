import { AlmanacError } from "@almanac/errors";
import nunjucks from "nunjucks";
import { quoteIdentifier, type RelationValue } from "./relation.js";
import { noteMacroOrigin, templateFailure } from "./template-errors.js";
import type { MacroFile } from "./types.js";

/** dbt's `target` as templates see it. */
export interface TargetValue {
  readonly name: string;
  readonly schema: string;
  readonly type: string;
  readonly database: string;
  readonly dbname: string;
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
  ref(name: string): RelationValue;
  source(sourceName: string, tableName: string): RelationValue;
  config(settings: Readonly<Record<string, unknown>>): void;
  configValue(key: string): unknown;
  variable(name: string, fallback?: { value: unknown }): unknown;
  envVar(name: string, fallback?: { value: unknown }): unknown;
}

/** A compiled model template. */
export type CompiledTemplate = nunjucks.Template;

// `{{ return(x) }}` in a dbt macro hands x back to the caller instead of the macro's text.
class MacroReturn {
  constructor(readonly value: unknown) {}
}

// nunjucks passes keyword arguments as a trailing object marked `__keywords`.
function splitKeywords(args: readonly unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (typeof last === "object" && last !== null && (last as { __keywords?: unknown }).__keywords === true) {
    const { __keywords: _, ...keywords } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: [...args], keywords: {} };
}

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
  getExported(ctx: object, frame: null, cb: (error: Error | null, exported: Record<string, unknown>) => void): void;
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
  readonly #macros = new Map<string, { fn: (...args: unknown[]) => unknown; file: string }>();

  constructor(macroFiles: readonly MacroFile[]) {
    // dev: true keeps lineno/colno/cause on errors instead of flattening them to a message.
    this.#env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, dev: true });
    this.#installContext();
    for (const file of macroFiles) this.#addMacroFile(file);
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
      return new nunjucks.Template(source, this.#env, file, true);
    } catch (error) {
      throw templateFailure(error, file);
    }
  }

  /** Renders `template` with `scope` as the dbt context; errors are located in `scope.file`. */
  render(template: CompiledTemplate, scope: RenderScope): string {
    this.#scopes.push(scope);
    try {
      return template.render({});
    } catch (error) {
      throw templateFailure(error, scope.file);
    } finally {
      this.#scopes.pop();
    }
  }

  #installContext(): void {
    const env = this.#env;
    const internals = env as unknown as EnvironmentInternals;
    const globals = internals.globals;
    const scoped = (name: string, read: (scope: RenderScope) => unknown) =>
      Object.defineProperty(globals, name, { get: () => read(this.#scope), enumerable: true });
    scoped("this", (scope) => scope.this);
    scoped("target", (scope) => scope.target);
    scoped("execute", (scope) => scope.execute);
    env.addGlobal("ref", (...args: unknown[]) => {
      // `ref('package', 'model')` and `ref('model', v=2)`: the model name is the last positional.
      const { positional } = splitKeywords(args);
      return this.#scope.ref(stringArgument("ref", positional[positional.length - 1]));
    });
    env.addGlobal("source", (...args: unknown[]) => {
      const { positional } = splitKeywords(args);
      return this.#scope.source(stringArgument("source", positional[0]), stringArgument("source", positional[1]));
    });
    const config = (...args: unknown[]) => {
      const { positional, keywords } = splitKeywords(args);
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
      const { positional, keywords } = splitKeywords(args);
      return this.#scope.variable(stringArgument("var", positional[0]), fallbackOf(positional, keywords, 1));
    });
    env.addGlobal("env_var", (...args: unknown[]) => {
      const { positional, keywords } = splitKeywords(args);
      return this.#scope.envVar(stringArgument("env_var", positional[0]), fallbackOf(positional, keywords, 1));
    });
    env.addGlobal("is_incremental", () => this.#scope.isIncremental);
    env.addGlobal("return", (value: unknown) => {
      throw new MacroReturn(value);
    });
    env.addGlobal("log", () => "");
    env.addGlobal("exceptions", {
      raise_compiler_error: (message: unknown) => {
        throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", String(message));
      },
      warn: () => "",
    });
    env.addGlobal("adapter", {
      dispatch: (name: string, _namespace?: string) => this.#dispatch(name),
      quote: (identifier: string) => quoteIdentifier(identifier),
    });
    // Jinja spellings dbt projects use that nunjucks lacks.
    internals.addTest("none", (value: unknown) => value === null || value === undefined);
    env.addFilter("as_bool", (value: unknown) => value === true || String(value).toLowerCase() === "true");
    env.addFilter("as_number", (value: unknown) => Number(value));
    env.addFilter("as_text", (value: unknown) => String(value));
    env.addFilter("tojson", (value: unknown) => JSON.stringify(value));
  }

  /** dbt's dispatch order for the postgres adapter: `postgres__x`, then `default__x`, then `x`. */
  #dispatch(name: string): (...args: unknown[]) => unknown {
    for (const candidate of [`postgres__${name}`, `default__${name}`, name]) {
      const macro = this.#macros.get(candidate);
      if (macro) return macro.fn;
    }
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `adapter.dispatch("${name}") found no macro postgres__${name}, default__${name} or ${name}`,
    );
  }

  #addMacroFile(file: MacroFile): void {
    let template: nunjucks.Template;
    try {
      template = new nunjucks.Template(file.source, this.#env, file.path, true);
    } catch (error) {
      throw templateFailure(error, file.path);
    }
    let exported: Record<string, unknown> = {};
    // Running the file only defines its macros; a top-level error is reported against the file.
    (template as unknown as NunjucksInternals).getExported({}, null, (error, result) => {
      if (error) throw templateFailure(error, file.path);
      exported = result;
    });
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== "function") continue;
      const existing = this.#macros.get(name);
      if (existing) {
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
          if (error instanceof MacroReturn) return error.value;
          noteMacroOrigin(error, { macro: name, file: file.path });
          throw error;
        }
      };
      this.#macros.set(name, { fn: wrapped, file: file.path });
      this.#env.addGlobal(name, wrapped);
    }
  }
}
