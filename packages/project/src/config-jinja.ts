import { lookupEnvVar, lookupVar, parseWindowVars, targetValue } from "./dbt-context.js";
import { RelationValue } from "./relation.js";
import type { RenderScope, TemplateEnvironment } from "./template-environment.js";
import type { Target } from "./types.js";

/** What a Jinja string in dbt_project.yml may read: vars, env vars and the target. */
export interface ConfigJinjaInput {
  readonly vars: readonly (Readonly<Record<string, unknown>> | undefined)[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envVarPrefixes: readonly string[];
  readonly target: Target;
}

// Hooks are SQL run later, in the step, where `this` is the model: never rendered at load.
const renderedLater = new Set(["pre-hook", "post-hook", "pre_hook", "post_hook"]);

/**
 * dbt renders the config values of dbt_project.yml (`+enabled: "{{ var('load_source_data',
 * false) }}"`, `+schema: "{{ env_var('DBT_SCHEMA') }}"`) with vars, env_var and target, and reads
 * the result as a Python literal (dbt's native rendering): `False` is the boolean false.
 */
export function renderConfigJinja(
  config: Readonly<Record<string, unknown>>,
  environment: TemplateEnvironment,
  input: ConfigJinjaInput,
  file = "dbt_project.yml",
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    rendered[key] =
      typeof value === "string" && !renderedLater.has(key) && /\{[{%]/.test(value)
        ? nativeValue(environment.render(environment.compile(file, value), configScope(input)))
        : value;
  }
  return rendered;
}

function nativeValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "True" || trimmed === "true") return true;
  if (trimmed === "False" || trimmed === "false") return false;
  if (trimmed === "None" || trimmed === "none") return null;
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

function configScope(input: ConfigJinjaInput): RenderScope {
  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available in dbt_project.yml`);
  };
  return {
    file: "dbt_project.yml",
    this: new RelationValue(input.target.schema, "this"),
    target: targetValue(input.target),
    isIncremental: false,
    execute: false,
    model: { name: "", config: {}, original_file_path: "dbt_project.yml" },
    ref: unavailable("ref()"),
    source: unavailable("source()"),
    config: unavailable("config()"),
    configValue: () => undefined,
    variable: (name, fallback) => lookupVar(name, fallback, [parseWindowVars, ...input.vars]),
    envVar: (name, fallback) => lookupEnvVar(name, fallback, input.env, input.envVarPrefixes),
  };
}
