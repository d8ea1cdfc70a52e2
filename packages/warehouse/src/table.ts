import { lockRelationDdl } from "./ddl-lock.js";
import { quoteIdentifier, quoteRelation, siblingIdentifier } from "./relations.js";
import type { MaterializeSession } from "./session.js";

/** Suffix of the relation a table model is built into before it takes the model's name. */
export const newTableSuffix = "__almanac_new";

/**
 * Builds the model as a table: create `<identifier>__almanac_new` from the select, drop the old
 * relation (table or view), rename the new one, all in the caller's transaction.
 *
 * Readers keep seeing the old table while the new one is filled (the slow part); the drop then
 * takes an exclusive lock, so readers wait a moment and, after commit, read the new table (Postgres
 * looks names up again after waiting for a lock). Nobody sees a missing or half-filled table. The
 * drop has no CASCADE: views built on the old table make it fail with a clear error instead of
 * being destroyed silently.
 *
 * @returns rows in the new table.
 */
export async function materializeTable(session: MaterializeSession, select: string): Promise<number> {
  const relation = session.relation;
  const target = quoteRelation(relation);
  const workIdentifier = siblingIdentifier(relation.identifier, newTableSuffix);
  const work = quoteRelation({ schema: relation.schema, identifier: workIdentifier });

  await lockRelationDdl(session, relation);
  // A leftover can only exist if someone ran the steps outside a transaction; it is ours to drop
  // because the advisory lock above is held by every builder of this relation.
  await session.run(`drop table if exists ${work}`);
  const rows = await session.count(`create table ${work} as\n${select}`);
  const kind = await session.kindOf(relation);
  if (kind !== undefined) await session.run(`drop ${kind} ${target}`);
  await session.run(`alter table ${work} rename to ${quoteIdentifier(relation.identifier)}`);
  return rows;
}
