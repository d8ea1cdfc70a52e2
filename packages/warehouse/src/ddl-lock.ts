import { quoteIdentifier } from "./relations.js";
import type { MaterializeSession } from "./session.js";
import type { Relation } from "./types.js";

/**
 * Serializes DDL on one relation across sessions and makes sure its schema exists.
 *
 * Two partitions of the same model starting at once on an empty database would both see "no
 * table" and both `create table`; the loser fails on pg_class's unique index. A transaction-level
 * advisory lock keyed on the relation name makes the second wait for the first to commit, after
 * which it sees the table (catalog lookups are not bound to the transaction snapshot) and takes
 * the incremental path. `create schema if not exists` has the same race on pg_namespace, so the
 * schema name gets its own lock, taken only when the schema is missing.
 *
 * Both locks are held until the caller commits or rolls back. Callers must read the catalog
 * (does the target exist? which columns?) only after this returns.
 */
export async function lockRelationDdl(session: MaterializeSession, relation: Relation): Promise<void> {
  // The schema check is independent of the lock: if it runs first and says "exists", the schema
  // is committed and stays; if it says "missing", the schema lock below covers the race.
  const { rows } = await session.run<{ schema_exists: boolean }>(
    `select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('almanac:ddl:' || $1 || '.' || $2)),
       exists (select 1 from pg_catalog.pg_namespace where nspname = $1) as schema_exists`,
    [relation.schema, relation.identifier],
  );
  if (rows[0]?.schema_exists) return;
  await session.run("select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('almanac:ddl:' || $1))", [
    relation.schema,
  ]);
  await session.run(`create schema if not exists ${quoteIdentifier(relation.schema)}`);
}
