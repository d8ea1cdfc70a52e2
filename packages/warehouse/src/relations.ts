import { createHash } from "node:crypto";
import type pg from "pg";
import type { Relation } from "./types.js";

/** One column of a table or view, as Postgres reports it. */
export interface Column {
  readonly name: string;
  /** `format_type` spelling, e.g. `integer`, `timestamp with time zone`, `character varying(20)`. */
  readonly dataType: string;
  /** The type's oid and modifier, when read from the catalog (to compare with a query's output). */
  readonly typeId?: number;
  readonly typeMod?: number;
}

/** What stands at a relation's name, as far as materializations care. */
export type RelationKind = "table" | "view";

/** Postgres truncates longer identifiers silently, which could make two names collide. */
const maxIdentifierBytes = 63;

/**
 * Quotes one SQL identifier (`"a""b"`), so any name, including ones that look like SQL, is taken
 * literally. NUL cannot appear in an identifier at all, so it is refused rather than mangled.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes("\0")) {
    throw new TypeError(`invalid SQL identifier ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."identifier"`, both parts quoted. */
export function quoteRelation(relation: Relation): string {
  return `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.identifier)}`;
}

/**
 * A name next to `identifier` for a work relation (`<identifier>__almanac_new`). When the result
 * would exceed Postgres's 63-byte limit, the identifier is shortened and a hash keeps it unique:
 * a truncated name could otherwise equal the target itself.
 */
export function siblingIdentifier(identifier: string, suffix: string): string {
  const full = `${identifier}${suffix}`;
  if (Buffer.byteLength(full) <= maxIdentifierBytes) return full;
  const hash = createHash("sha1").update(identifier).digest("hex").slice(0, 8);
  const tail = `_${hash}${suffix}`;
  let head = identifier;
  while (Buffer.byteLength(head) + Buffer.byteLength(tail) > maxIdentifierBytes) head = head.slice(0, -1);
  return `${head}${tail}`;
}

// pg_catalog rather than information_schema: the latter is a stack of views with privilege
// checks, several times slower, and it hides relations the role cannot read.
const relkindSql = `select c.relkind
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname = $1 and c.relname = $2`;

const columnsSql = `select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as data_type
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
 order by a.attnum`;

/** The SQL of {@link relationKind}, for callers that log statements. */
export const relationKindSql = relkindSql;
/** The SQL of {@link columnsOf}, for callers that log statements. */
export const relationColumnsSql = columnsSql;

/** Maps `pg_class.relkind` to what a materialization can replace; other kinds (sequences, indexes…) are `undefined`. */
export function kindOfRelkind(relkind: string | undefined): RelationKind | undefined {
  if (relkind === "r" || relkind === "p") return "table";
  if (relkind === "v") return "view";
  return undefined;
}

/** True when anything (table, view, sequence…) holds the relation's name. */
export async function relationExists(client: pg.ClientBase | pg.Pool, relation: Relation): Promise<boolean> {
  const { rows } = await client.query<{ relkind: string }>(relkindSql, [relation.schema, relation.identifier]);
  return rows.length > 0;
}

/** `table` (plain or partitioned), `view`, or `undefined` when absent or some other kind of relation. */
export async function relationKind(
  client: pg.ClientBase | pg.Pool,
  relation: Relation,
): Promise<RelationKind | undefined> {
  const { rows } = await client.query<{ relkind: string }>(relkindSql, [relation.schema, relation.identifier]);
  return kindOfRelkind(rows[0]?.relkind);
}

/** What stands at a relation's name and, for a table or view, its columns in their order. */
export interface RelationShape {
  readonly kind: RelationKind | undefined;
  /** Empty when nothing stands there. Carries `typeId`/`typeMod`, to compare with a query's output. */
  readonly columns: readonly Column[];
}

const shapeSql = `select c.relkind,
       (select coalesce(json_agg(json_build_object(
                 'name', a.attname, 'dataType', pg_catalog.format_type(a.atttypid, a.atttypmod),
                 'typeId', a.atttypid::int, 'typeMod', a.atttypmod) order by a.attnum), '[]'::json)
          from pg_catalog.pg_attribute a
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname = $1 and c.relname = $2`;

/**
 * {@link relationKind} and the columns in one round trip: a light partition's step asked the
 * catalog twice in a row (kind, then columns to compare with the model's output), and each
 * round trip costs about what the partition's SQL does.
 */
export async function relationShape(client: pg.ClientBase | pg.Pool, relation: Relation): Promise<RelationShape> {
  const { rows } = await client.query<{ relkind: string; columns: Column[] }>(shapeSql, [
    relation.schema,
    relation.identifier,
  ]);
  const row = rows[0];
  return { kind: kindOfRelkind(row?.relkind), columns: row?.columns ?? [] };
}

/** Columns of a table or view in their order; empty when the relation does not exist. */
export async function columnsOf(client: pg.ClientBase, relation: Relation): Promise<Column[]> {
  const { rows } = await client.query<{ name: string; data_type: string }>(columnsSql, [
    relation.schema,
    relation.identifier,
  ]);
  return rows.map((row) => ({ name: row.name, dataType: row.data_type }));
}
