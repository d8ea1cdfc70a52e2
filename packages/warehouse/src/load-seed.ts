import type pg from "pg";
import { columnsOf, quoteIdentifier, quoteRelation } from "./relations.js";
import type { Relation } from "./types.js";

/** A seed table to load: typed columns and rows of text (NULL for empty fields). */
export interface SeedLoad {
  readonly relation: Relation;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** What loading a seed did. */
export interface SeedLoadResult {
  readonly rows: number;
  /** `replaced`: the table was dropped and created (new or changed columns); `reloaded`: truncated and refilled. */
  readonly mode: "created" | "replaced" | "reloaded";
}

// Postgres takes at most 65 535 bind parameters per statement.
const maxParameters = 60_000;

/**
 * Loads a seed into `relation` in the caller's transaction, so a failure (a value that does not
 * fit its type, say) leaves the old table as it was.
 *
 * When the table exists with the same column names and types, it is truncated and refilled in
 * place: views built on it keep working (a rename swap would leave them reading the old table,
 * and dropping it would need CASCADE). Otherwise it is dropped (without CASCADE, so dependent
 * views make it fail clearly rather than vanish) and created with the new columns. Values go in
 * as bind parameters of multi-row inserts, cast by Postgres to the column types.
 */
export async function loadSeed(client: pg.ClientBase, seed: SeedLoad): Promise<SeedLoadResult> {
  const target = quoteRelation(seed.relation);
  await client.query(
    "select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('almanac:ddl:' || $1 || '.' || $2))",
    [seed.relation.schema, seed.relation.identifier],
  );
  await client.query(`create schema if not exists ${quoteIdentifier(seed.relation.schema)}`);
  const existing = await columnsOf(client, seed.relation);
  const expected = await expectedTypes(client, seed.columns);
  const same =
    existing.length === seed.columns.length &&
    existing.every((column, i) => column.name === seed.columns[i]?.name && column.dataType === expected[i]);
  let mode: SeedLoadResult["mode"];
  if (same) {
    await client.query(`truncate table ${target}`);
    mode = "reloaded";
  } else {
    if (existing.length > 0) await client.query(`drop table ${target}`);
    const columns = seed.columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(", ");
    await client.query(`create table ${target} (${columns})`);
    mode = existing.length > 0 ? "replaced" : "created";
  }
  const names = seed.columns.map((column) => quoteIdentifier(column.name)).join(", ");
  const width = Math.max(seed.columns.length, 1);
  const batch = Math.max(1, Math.floor(maxParameters / width));
  for (let start = 0; start < seed.rows.length; start += batch) {
    const rows = seed.rows.slice(start, start + batch);
    const params: (string | null)[] = [];
    const tuples = rows.map((row) => {
      const slots = seed.columns.map((_, i) => {
        params.push(row[i] ?? null);
        return `$${params.length}`;
      });
      return `(${slots.join(", ")})`;
    });
    await client.query(`insert into ${target} (${names}) values ${tuples.join(", ")}`, params);
  }
  return { rows: seed.rows.length, mode };
}

/**
 * `format_type` spellings of the seed's types, to compare with the table's columns: Postgres
 * resolves the names itself (`int` → `integer`, `varchar(3)` → `character varying(3)`) on a
 * temporary table of the same shape.
 */
async function expectedTypes(client: pg.ClientBase, columns: readonly { readonly type: string }[]): Promise<string[]> {
  const shape = "pg_temp.almanac_seed_shape";
  const definitions = columns.map((column, i) => `c${i} ${column.type}`).join(", ");
  await client.query(`create temporary table ${shape} (${definitions}) on commit drop`);
  const { rows } = await client.query<{ data_type: string }>(
    `select pg_catalog.format_type(a.atttypid, a.atttypmod) as data_type
       from pg_catalog.pg_attribute a
      where a.attrelid = '${shape}'::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
  );
  await client.query(`drop table ${shape}`);
  return rows.map((row) => row.data_type);
}
