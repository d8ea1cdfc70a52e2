import { lookupEnvVar, lookupVar, parseWindowVars, targetValue } from "./dbt-context.js";
import { noBatch } from "./microbatch-window.js";
import { type ConfigLayer, mergeConfig } from "./model-config.js";
import { RelationValue, relationFor, type SchemaNamer } from "./relation.js";
import type {
  CompiledTemplate,
  ModelValue,
  RenderScope,
  TargetValue,
  TemplateEnvironment,
} from "./template-environment.js";
import type { Target } from "./types.js";

/** What a model's templates said when parsed at load. */
export interface ParsedModel {
  /** Names passed to `ref()`, first-seen order (models and seeds alike). */
  readonly refs: readonly string[];
  /** `[source, table]` pairs passed to `source()`, first-seen order. */
  readonly sources: readonly (readonly [string, string])[];
  /** Settings from `config()` calls, merged in call order. */
  readonly configured: ConfigLayer;
}

/** Everything the parse of one model needs besides its template. */
export interface ParseInput {
  readonly file: string;
  readonly name: string;
  /** Config from folders and properties yml, so `config.get()` and `this` see it. */
  readonly baseConfig: ConfigLayer;
  readonly projectVars: Readonly<Record<string, unknown>>;
  /** Vars given to `loadProject` (run-level vars known at load). */
  readonly vars: Readonly<Record<string, unknown>> | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prefixes `env_var()` may read. */
  readonly envVarPrefixes: readonly string[];
  readonly target: Target;
}

interface ParseRecord {
  refs: string[];
  sources: [string, string][];
  configured: Record<string, unknown>;
}

/**
 * The dbt "parse render": `ref`, `source` and `config` record what they are given and return
 * placeholders; vars resolve with placeholder window values. It never needs other models.
 */
class ParseScope implements RenderScope {
  readonly file: string;
  readonly this: RelationValue;
  readonly target: TargetValue;
  readonly isIncremental: boolean;
  readonly execute = false;
  readonly model: ModelValue;
  readonly #input: ParseInput;
  readonly #parsed: ParseRecord;

  constructor(input: ParseInput, isIncremental: boolean, parsed: ParseRecord, nameSchema: SchemaNamer | undefined) {
    this.#input = input;
    this.model = Object.freeze({
      name: input.name,
      config: input.baseConfig,
      original_file_path: input.file,
      batch: noBatch,
    });
    this.#parsed = parsed;
    this.file = input.file;
    this.isIncremental = isIncremental;
    this.target = targetValue(input.target);
    const relation = relationFor(input.target, input.name, input.baseConfig, nameSchema);
    this.this = new RelationValue(relation.schema, relation.identifier, input.target.database);
  }

  ref(name: string): RelationValue {
    if (!this.#parsed.refs.includes(name)) this.#parsed.refs.push(name);
    return new RelationValue(this.#input.target.schema, name);
  }

  source(sourceName: string, tableName: string): RelationValue {
    if (!this.#parsed.sources.some(([s, t]) => s === sourceName && t === tableName)) {
      this.#parsed.sources.push([sourceName, tableName]);
    }
    return new RelationValue(sourceName, tableName);
  }

  config(settings: ConfigLayer): void {
    this.#parsed.configured = mergeConfig(this.#parsed.configured, settings);
  }

  configValue(key: string): unknown {
    return this.#parsed.configured[key] ?? this.#input.baseConfig[key];
  }

  variable(name: string, fallback?: { value: unknown }): unknown {
    return lookupVar(name, fallback, [parseWindowVars, this.#input.vars, this.#input.projectVars]);
  }

  envVar(name: string, fallback?: { value: unknown }): unknown {
    return lookupEnvVar(name, fallback, this.#input.env, this.#input.envVarPrefixes);
  }
}

/**
 * Parses one model by rendering it twice, with `is_incremental()` false (dbt's parse) and
 * true, so a `ref` that only appears in the incremental branch is still a dependency — dbt
 * misses those and needs a `-- depends_on:` comment; Almanac does not. Template errors are
 * thrown as AlmanacErrors located in the model file.
 */
export function parseModel(
  environment: TemplateEnvironment,
  template: CompiledTemplate,
  input: ParseInput,
): ParsedModel {
  const parsed: ParseRecord = { refs: [], sources: [], configured: {} };
  environment.render(template, new ParseScope(input, false, parsed, environment.schemaNamer));
  const firstConfig = parsed.configured;
  environment.render(template, new ParseScope(input, true, parsed, environment.schemaNamer));
  // Config from the incremental branch only adds keys the plain parse did not set.
  parsed.configured = { ...parsed.configured, ...firstConfig };
  return parsed;
}

/**
 * 1-based line of the first `fn('a', 'b')` call with these literal arguments in `raw`, for
 * pointing at an unknown ref or source. Undefined when the call is built dynamically or made
 * inside a macro.
 */
export function lineOfCall(raw: string, fn: string, args: readonly string[]): number | undefined {
  const parts = args.map((arg, i) => `\\s*(['"])${escapeRegExp(arg)}\\${i + 1}\\s*`);
  return lineOfMatch(raw, new RegExp(`\\b${fn}\\s*\\(${parts.join(",")}`));
}

/** 1-based line of the first quoted occurrence of `text` (for `ref('package', 'model')` forms). */
export function lineOfQuoted(raw: string, text: string): number | undefined {
  return lineOfMatch(raw, new RegExp(`(['"])${escapeRegExp(text)}\\1`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function lineOfMatch(raw: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(raw);
  return match ? raw.slice(0, match.index).split("\n").length : undefined;
}
