import type pg from "pg";
import { lockRelationDdl } from "./ddl-lock.js";
import { quoteRelation } from "./relations.js";
import { MaterializeSession } from "./session.js";
import type { Relation } from "./types.js";

/** How a test's failing rows are kept: a table of them, or a view of the test's query. */
export type StoredFailuresKind = "table" | "view";

/**
 * Writes a test's failing rows to `relation`, as dbt's `store_failures` does, in the caller's
 * transaction (the caller commits).
 *
 * With `replace` whatever stands at the name is dropped first, with CASCADE as dbt's test
 * materialization drops it: a test's stored failures are its latest run's, even when that run
 * found none. Without it (a later partition of the same check) the rows are appended to the
 * table the check made for its first partition. The DDL lock makes two checks of one test
 * (two runs on two partitions) wait for each other instead of racing on the catalog.
 *
 * @returns rows written; 0 for a view, whose rows are read when it is queried.
 */
export async function storeTestFailures(
  client: pg.ClientBase,
  relation: Relation,
  kind: StoredFailuresKind,
  failingRows: string,
  replace: boolean,
): Promise<number> {
  const session = new MaterializeSession(client, relation, failingRows);
  const target = quoteRelation(relation);
  await lockRelationDdl(session, relation);
  if (!replace && kind === "table") return session.count(`insert into ${target}\n${failingRows}`);
  const existing = await session.kindOf(relation);
  if (existing !== undefined) await session.run(`drop ${existing} ${target} cascade`);
  if (kind === "view") {
    await session.run(`create view ${target} as\n${failingRows}`);
    return 0;
  }
  return session.count(`create table ${target} as\n${failingRows}`);
}
