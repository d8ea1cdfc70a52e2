import { isAlmanacError } from "@almanac/errors";
import { lockRelationDdl } from "./ddl-lock.js";
import { quoteRelation } from "./relations.js";
import type { MaterializeSession } from "./session.js";

/**
 * SQLSTATEs with which `create or replace view` refuses a new column list (a column removed,
 * renamed or retyped). Postgres only lets a view gain columns at the end.
 */
const incompatibleViewColumns = new Set(["42P16", "42804"]);

const savepoint = "almanac_replace_view";

/**
 * Builds the model as a view, dbt-style.
 *
 * `create or replace view` keeps the view's identity, so grants and dependent views survive.
 * When Postgres refuses because the columns changed incompatibly, the attempt is undone with a
 * savepoint and the view is dropped and created again; the drop does not CASCADE, so dependent
 * objects make it fail with a message that names them instead of vanishing silently. A table
 * standing at the name (the model used to be a table) is dropped first, with the same rule.
 */
export async function materializeView(session: MaterializeSession, select: string): Promise<void> {
  const relation = session.relation;
  const target = quoteRelation(relation);
  const create = `create view ${target} as\n${select}`;
  await lockRelationDdl(session, relation);
  const kind = await session.kindOf(relation);

  if (kind === "table") {
    await session.run(`drop table ${target}`);
    await session.run(create);
    return;
  }
  if (kind === undefined) {
    await session.run(create);
    return;
  }

  await session.run(`savepoint ${savepoint}`);
  try {
    await session.run(`create or replace view ${target} as\n${select}`);
  } catch (error) {
    const state = isAlmanacError(error) ? error.details.sqlState : undefined;
    if (typeof state !== "string" || !incompatibleViewColumns.has(state)) throw error;
    await session.run(`rollback to savepoint ${savepoint}`);
    await session.run(`drop view ${target}`);
    await session.run(create);
  }
  await session.run(`release savepoint ${savepoint}`);
}
