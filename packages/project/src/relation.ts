import { AlmanacError } from "@almanac/errors";
import { didYouMean } from "./did-you-mean.js";
import type { Project, Relation, RelationQuoting, Target } from "./types.js";

/** Double-quotes a Postgres identifier, doubling embedded quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * What `ref()`, `source()` and `this` return inside a template: prints as
 * `"schema"."identifier"` and exposes `.schema`, `.identifier`, `.name` like dbt's Relation.
 */
export class RelationValue implements Relation {
  readonly schema: string;
  readonly identifier: string;
  readonly database: string | undefined;
  readonly #quoting: RelationQuoting | undefined;

  /** @param quoting - which parts are double-quoted; default both (dbt-postgres's default). */
  constructor(schema: string, identifier: string, database?: string, quoting?: RelationQuoting) {
    this.schema = schema;
    this.identifier = identifier;
    this.database = database;
    this.#quoting = quoting;
  }

  /** dbt's alias for the identifier. */
  get name(): string {
    return this.identifier;
  }

  /** The quoted relation, as `{{ this.render() }}` prints it in dbt. */
  render(): string {
    const schema = this.#quoting?.schema === false ? this.schema : quoteIdentifier(this.schema);
    const identifier = this.#quoting?.identifier === false ? this.identifier : quoteIdentifier(this.identifier);
    return `${schema}.${identifier}`;
  }

  toString(): string {
    return this.render();
  }
}

/** Name of the CTE an ephemeral model is inlined as (dbt's prefix, so SQL ported from dbt reads the same). */
export function ephemeralCteName(modelName: string): string {
  return `__dbt__cte__${modelName}`;
}

/** What `ref()` to an ephemeral model returns: the bare CTE name. */
export class EphemeralRelation extends RelationValue {
  constructor(modelName: string) {
    super("", ephemeralCteName(modelName));
  }

  override render(): string {
    return this.identifier;
  }
}

/**
 * dbt's default `generate_schema_name`: the target schema, or `<target.schema>_<custom>` when
 * the model sets `schema`, so two developers' targets never write into one custom schema.
 */
export function schemaFor(target: Target, customSchema: unknown): string {
  return typeof customSchema === "string" && customSchema.trim() !== ""
    ? `${target.schema}_${customSchema.trim()}`
    : target.schema;
}

/**
 * A project's `generate_schema_name(custom_schema_name, node)` macro, when it defines one;
 * undefined means dbt's default ({@link schemaFor}).
 */
export type SchemaNamer = (
  target: Target,
  customSchema: string | undefined,
  node: { readonly name: string; readonly config: Readonly<Record<string, unknown>> },
) => string | undefined;

/**
 * Schema and identifier for a resource's config (`schema`, `alias`) under `target`; the
 * schema comes from `nameSchema` (the project's `generate_schema_name`) when given.
 */
export function relationFor(
  target: Target,
  name: string,
  config: Readonly<Record<string, unknown>>,
  nameSchema?: SchemaNamer,
): Relation {
  const alias = typeof config.alias === "string" && config.alias !== "" ? config.alias : name;
  const custom = typeof config.schema === "string" && config.schema.trim() !== "" ? config.schema.trim() : undefined;
  const schema = nameSchema?.(target, custom, { name, config }) ?? schemaFor(target, custom);
  return { schema, identifier: alias };
}

/** ALMANAC_UNKNOWN_ASSET for `name`, with the closest model name as a hint. */
export function unknownAsset(project: Project, name: string): AlmanacError {
  return new AlmanacError(
    "ALMANAC_UNKNOWN_ASSET",
    `no model named "${name}" in project ${project.name}${didYouMean(name, project.models.keys())}`,
    { asset: name },
  );
}
