import type { IncrementalPlan } from "./incremental-plan.js";
import { targetAlias, type WriteCounts } from "./incremental-strategies.js";
import { modelAlias, modelSubquery } from "./model-sql.js";
import { type Column, quoteIdentifier, quoteRelation } from "./relations.js";
import type { MaterializeSession, OutputColumn } from "./session.js";
import { windowPredicate } from "./window-filter.js";

/**
 * The steady state of a partitioned model, without a staging table: when the model's output
 * has exactly the table's columns (same names, same types), there is nothing to reconcile
 * whatever `on_schema_change` says, and `window_overwrite` and `append` read the SELECT once
 * anyway — so the window is deleted and the model's rows inserted straight from the SELECT.
 * A temporary table per step cost three round trips and catalog writes (WAL) that, for a small
 * partition, took longer than the model itself.
 *
 * @returns undefined when the strategy or the columns need the staged path: nothing was written.
 */
export async function writeDirectly(
  session: MaterializeSession,
  select: string,
  plan: IncrementalPlan,
  /** The table's columns when the caller just read them in this transaction. */
  knownColumns?: readonly Column[],
): Promise<WriteCounts | undefined> {
  if (plan.strategy !== "window_overwrite" && plan.strategy !== "append") return undefined;
  const target = quoteRelation(session.relation);
  const [columns = []] = knownColumns ? [knownColumns] : await session.columnsOf([target]);
  const output = await session.outputColumnsOf(select);
  if (!sameColumns(columns, output)) return undefined;

  // The output's order: `select *` of the model feeds the insert.
  const list = output.map((c) => quoteIdentifier(c.name)).join(", ");
  const insert = `insert into ${target} (${list})\n${modelSubquery(select)}`;
  const restriction = plan.restriction;
  if (!restriction) return { rowsWritten: await session.count(insert), rowsDeleted: 0 };

  const what = `table ${target}`;
  const inTarget = windowPredicate(columns, restriction.timeColumn, restriction.window, targetAlias, what);
  const inOutput = windowPredicate(columns, restriction.timeColumn, restriction.window, modelAlias, what);
  if (plan.strategy === "append") {
    return { rowsWritten: await session.count(`${insert}\n where ${inOutput.sql}`, inOutput.params), rowsDeleted: 0 };
  }
  // Delete and insert in one statement, one round trip: both sub-statements see the table as it
  // was when the statement began, so the delete removes only the old rows of the window. Both
  // predicates are built from the table's columns, so they take the same two parameters.
  const { rows } = await session.run<{ deleted: number; inserted: number }>(
    `with deleted as (\n  delete from ${target} as ${targetAlias}\n   where ${inTarget.sql}\n  returning 1\n), inserted as (\n${insert}\n where ${inOutput.sql}\n  returning 1\n)\nselect (select count(*) from deleted)::int as deleted, (select count(*) from inserted)::int as inserted`,
    inTarget.params,
  );
  return { rowsWritten: rows[0]?.inserted ?? 0, rowsDeleted: rows[0]?.deleted ?? 0 };
}

/** Same column names with the same type and modifier, in any order. */
function sameColumns(table: readonly Column[], output: readonly OutputColumn[]): boolean {
  if (table.length !== output.length) return false;
  const byName = new Map(output.map((c) => [c.name, c]));
  return table.every((c) => {
    const out = byName.get(c.name);
    return out !== undefined && out.typeId === c.typeId && out.typeMod === c.typeMod;
  });
}
