import { AlmanacError } from "@almanac/errors";
import { didYouMean } from "./did-you-mean.js";
import { pythonMapping } from "./jinja-compat/python-values.js";
import type { Project, Relation, RelationQuoting, Target } from "./types.js";

/** Double-quotes a Postgres identifier, doubling embedded quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** dbt's relation types; `null` when unknown (dbt's `api.Relation.create` without `type`). */
export type RelationType = "table" | "view" | "cte" | "materialized_view" | null;

/** Which parts of a relation print (dbt's `include(...)`). */
interface IncludePolicy {
  readonly schema: boolean;
  readonly identifier: boolean;
}

/**
 * What `ref()`, `source()` and `this` return inside a template: prints as
 * `"schema"."identifier"` and answers what dbt's Relation does: `.schema`, `.identifier`,
 * `.name`, `.type`, `.is_table`, `include()`, `incorporate()`, `get('metadata')` (dbt_utils
 * checks `obj is mapping and obj.get('metadata').get('type')` to know a relation).
 */
export class RelationValue implements Relation {
  readonly schema: string;
  readonly identifier: string;
  readonly database: string | undefined;
  readonly type: RelationType;
  readonly #quoting: RelationQuoting | undefined;
  readonly #include: IncludePolicy;
  readonly [pythonMapping] = true;

  /** @param quoting - which parts are double-quoted; default both (dbt-postgres's default). */
  constructor(
    schema: string,
    identifier: string,
    database?: string,
    quoting?: RelationQuoting,
    type: RelationType = null,
    include: IncludePolicy = { schema: true, identifier: true },
  ) {
    this.schema = schema;
    this.identifier = identifier;
    this.database = database;
    this.type = type;
    this.#quoting = quoting;
    this.#include = include;
  }

  /** dbt's alias for the identifier. */
  get name(): string {
    return this.identifier;
  }

  get table(): string {
    return this.identifier;
  }

  get is_table(): boolean {
    return this.type === "table";
  }

  get is_view(): boolean {
    return this.type === "view";
  }

  get is_cte(): boolean {
    return this.type === "cte";
  }

  get metadata(): { type: string } {
    return { type: "PostgresRelation" };
  }

  /** Python mapping access, as on dbt's Relation: `relation.get('schema')`. */
  get(key: unknown, fallback: unknown = null): unknown {
    const name = String(key);
    const fields: Record<string, unknown> = {
      database: this.database ?? null,
      schema: this.schema,
      identifier: this.identifier,
      type: this.type,
      metadata: this.metadata,
      path: { database: this.database ?? null, schema: this.schema, identifier: this.identifier },
    };
    return Object.hasOwn(fields, name) ? fields[name] : fallback;
  }

  /** `include(schema=False)`: the same relation printing only some parts. */
  include(options: Readonly<Record<string, unknown>> = {}): RelationValue {
    const flag = (key: "schema" | "identifier") =>
      options[key] === undefined ? this.#include[key] : options[key] !== false;
    return new RelationValue(this.schema, this.identifier, this.database, this.#quoting, this.type, {
      schema: flag("schema"),
      identifier: flag("identifier"),
    });
  }

  /** `incorporate(path={'identifier': …}, type='view')`: a copy with parts replaced. */
  incorporate(options: Readonly<Record<string, unknown>> = {}): RelationValue {
    const path = (options.path ?? {}) as Record<string, unknown>;
    const part = (key: string, current: string | undefined) =>
      typeof path[key] === "string" ? (path[key] as string) : current;
    const type = options.type === undefined ? this.type : (options.type as RelationType);
    return new RelationValue(
      part("schema", this.schema) ?? this.schema,
      part("identifier", this.identifier) ?? this.identifier,
      part("database", this.database),
      this.#quoting,
      type,
      this.#include,
    );
  }

  /** dbt's `without_identifier()`: the schema alone. */
  without_identifier(): RelationValue {
    return this.include({ identifier: false });
  }

  /**
   * dbt's `information_schema(view)`: the database's `information_schema` (a view of it when
   * named), unquoted as dbt prints it, and without the database as Almanac prints relations.
   */
  information_schema(view?: unknown): RelationValue {
    const name = typeof view === "string" && view !== "" ? view : "";
    return new RelationValue("information_schema", name, this.database, { schema: false, identifier: false }, "view", {
      schema: true,
      identifier: name !== "",
    });
  }

  /** The quoted relation, as `{{ this.render() }}` prints it in dbt. */
  render(): string {
    const parts: string[] = [];
    if (this.#include.schema && this.schema !== "") {
      parts.push(this.#quoting?.schema === false ? this.schema : quoteIdentifier(this.schema));
    }
    // A relation made without an identifier (`api.Relation.create(schema=…)`) prints its schema.
    if (this.#include.identifier && this.identifier !== "") {
      parts.push(this.#quoting?.identifier === false ? this.identifier : quoteIdentifier(this.identifier));
    }
    return parts.join(".");
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
  // A snapshot's legacy target_schema is taken as written, without generate_schema_name (dbt 1.9).
  if (config.materialized === "snapshot" && typeof config.target_schema === "string" && config.target_schema !== "") {
    return { schema: config.target_schema, identifier: alias };
  }
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
