import { AlmanacError } from "@almanac/errors";
import { ColumnValue } from "./column-value.js";
import { splitArguments } from "./jinja-compat/python-values.js";
import type { QueryTable } from "./query-table.js";
import { quoteIdentifier, RelationValue } from "./relation.js";
import type { RenderScope } from "./template-environment.js";

/** What the adapter needs from the environment rendering the current template. */
export interface AdapterHost {
  /** The scope of the render in progress. */
  scope(): RenderScope;
  /** dbt's `run_query` on the render's warehouse connection: None while `execute` is false. */
  runQuery(sql: string): QueryTable | null;
  /** dbt's `adapter.dispatch(name, namespace)`. */
  dispatch(name: string, namespace: string | undefined): (...args: unknown[]) => unknown;
}

/**
 * dbt's `adapter` object for Postgres, the methods packages call.
 *
 * Reads (`get_relation`, `get_columns_in_relation`, `get_missing_columns`) run on the render's
 * own warehouse connection, which sees committed data. Changes (`drop_relation`,
 * `truncate_relation`, `rename_relation`, `expand_target_column_types`, `create_schema`,
 * `drop_schema`) are queued on the scope
 * instead and run on the step's connection, inside its transaction, just before the SQL of the
 * hook or model that called them — where dbt runs them, since dbt executes them while rendering.
 * Running them on the side connection would wait forever for locks the step's transaction holds
 * (a seed's post-hook dropping the table the same transaction just loaded).
 */
export function dbtAdapter(host: AdapterHost): Record<string, unknown> {
  const getRelation = (schema: string, identifier: string, database: unknown): RelationValue | null => {
    const type = relationTypeIn(host.runQuery, schema, identifier);
    if (type === null) return null;
    return new RelationValue(
      schema,
      identifier,
      typeof database === "string" && database !== "" ? database : undefined,
      undefined,
      type,
    );
  };

  const columnsIn = (method: string, relation: unknown): ColumnValue[] => {
    const { schema, identifier } = relationArgument(method, relation);
    const table = host.runQuery(
      `select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
         from pg_catalog.pg_attribute a
         join pg_catalog.pg_class c on c.oid = a.attrelid
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${sqlString(schema)} and c.relname = ${sqlString(identifier)}
          and a.attnum > 0 and not a.attisdropped
        order by a.attnum`,
    );
    return (table?.rows ?? []).map(([name, type]) => new ColumnValue(String(name), String(type)));
  };

  /**
   * Queues `sql` for the step's connection, or runs it at once where there is no step
   * (`almanac run-operation`); nothing while parsing (dbt's `execute` false).
   */
  const queue = (method: string, sql: () => string): string => {
    const scope = host.scope();
    if (!scope.execute) return "";
    if (scope.statementsRunAtOnce) {
      host.runQuery(sql());
      return "";
    }
    if (scope.adapterStatements === undefined) {
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `adapter.${method}() changes the database, which only models and hooks may do, not ${scope.file}`,
      );
    }
    scope.adapterStatements.push(sql());
    return "";
  };

  const loadRelation = (relation: unknown): RelationValue | null => {
    const { schema, identifier, database } = relationArgument("load_relation", relation);
    return getRelation(schema, identifier, database ?? null);
  };

  return {
    dispatch: (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      const namespace = positional[1] ?? keywords.macro_namespace;
      return host.dispatch(
        String(positional[0] ?? keywords.macro_name),
        typeof namespace === "string" ? namespace : undefined,
      );
    },
    quote: (identifier: string) => quoteIdentifier(identifier),
    // `adapter.get_relation(database, schema, identifier)`: the relation when it exists, else None.
    get_relation: (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      return getRelation(
        String(keywords.schema ?? positional[1] ?? ""),
        String(keywords.identifier ?? positional[2] ?? ""),
        keywords.database ?? positional[0],
      );
    },
    // dbt's `load_relation(relation)`: the relation as the database has it (with its type), or None.
    load_relation: loadRelation,
    get_columns_in_relation: (relation: unknown) => columnsIn("get_columns_in_relation", relation),
    // Columns of `from_relation` whose names `to_relation` lacks (dbt compares names case-blind).
    get_missing_columns: (...args: unknown[]) => {
      const [from, to] = relationPair("get_missing_columns", args);
      const present = new Set(columnsIn("get_missing_columns", to).map((column) => column.name.toLowerCase()));
      return columnsIn("get_missing_columns", from).filter((column) => !present.has(column.name.toLowerCase()));
    },
    drop_relation: (relation: unknown) =>
      queue("drop_relation", () => `drop ${typeKeyword("drop_relation", relation)} if exists ${relation} cascade`),
    create_schema: (relation: unknown) =>
      queue("create_schema", () => `create schema if not exists ${schemaOf("create_schema", relation)}`),
    drop_schema: (relation: unknown) =>
      queue("drop_schema", () => `drop schema if exists ${schemaOf("drop_schema", relation)} cascade`),
    truncate_relation: (relation: unknown) =>
      queue("truncate_relation", () => `truncate table ${relationArgument("truncate_relation", relation)}`),
    rename_relation: (...args: unknown[]) => {
      const [from, to] = relationPair("rename_relation", args);
      return queue("rename_relation", () => `alter table ${from} rename to ${quoteIdentifier(to.identifier)}`);
    },
    // Widens string columns of `to_relation` that are shorter than the same column of
    // `from_relation` (`goal` in dbt's signature), as dbt-postgres does before an insert.
    expand_target_column_types: (...args: unknown[]) => {
      const { positional, keywords } = splitArguments(args);
      const from = relationArgument("expand_target_column_types", positional[0] ?? keywords.from_relation);
      const to = relationArgument("expand_target_column_types", positional[1] ?? keywords.to_relation);
      const wanted = new Map(columnsIn("expand_target_column_types", from).map((column) => [column.name, column]));
      for (const column of columnsIn("expand_target_column_types", to)) {
        const source = wanted.get(column.name);
        if (source === undefined || !column.is_string() || !source.is_string()) continue;
        if (source.string_size() <= column.string_size()) continue;
        const size = source.string_size();
        queue("expand_target_column_types", () => {
          return `alter table ${to} alter column ${column.quoted} type character varying(${size})`;
        });
      }
      return "";
    },
  };
}

/**
 * The type of relation `schema.identifier` in the warehouse `query` reads (`table`, `view`,
 * `materialized_view`), or null when it does not exist (or while parsing, `query` answering null).
 */
export function relationTypeIn(
  query: (sql: string) => { readonly rows: readonly (readonly unknown[])[] } | null,
  schema: string,
  identifier: string,
): "table" | "view" | "materialized_view" | null {
  const kind = query(
    `select c.relkind from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${sqlString(schema)} and c.relname = ${sqlString(identifier)}`,
  )?.rows[0]?.[0];
  if (kind === undefined) return null;
  return kind === "v" ? "view" : kind === "m" ? "materialized_view" : "table";
}

function relationArgument(method: string, value: unknown): RelationValue {
  if (value instanceof RelationValue) return value;
  throw new AlmanacError(
    "ALMANAC_TEMPLATE_ERROR",
    `adapter.${method}() needs a relation (ref(), source(), this or adapter.get_relation()), got ${value === null || value === undefined ? "None" : typeof value}`,
  );
}

function schemaOf(method: string, value: unknown): string {
  const relation = relationArgument(method, value);
  if (relation.schema === "") {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `adapter.${method}() needs a relation with a schema`);
  }
  return quoteIdentifier(relation.schema);
}

function relationPair(method: string, args: unknown[]): [RelationValue, RelationValue] {
  const { positional, keywords } = splitArguments(args);
  return [
    relationArgument(method, positional[0] ?? keywords.from_relation),
    relationArgument(method, positional[1] ?? keywords.to_relation),
  ];
}

/** `drop table` / `drop view`: dbt drops by the relation's type, which must therefore be known. */
function typeKeyword(method: string, value: unknown): string {
  const relation = relationArgument(method, value);
  switch (relation.type) {
    case "table":
      return "table";
    case "view":
      return "view";
    case "materialized_view":
      return "materialized view";
    default:
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `adapter.${method}(${relation}) needs a relation of known type: use load_relation(), adapter.get_relation() or .incorporate(type='table')`,
      );
  }
}

/** A SQL string literal (standard_conforming_strings is on in every supported Postgres). */
function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
