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
): Promise<WriteCounts | undefined> {
  if (plan.strategy !== "window_overwrite" && plan.strategy !== "append") return undefined;
  const target = quoteRelation(session.relation);
  const [columns = []] = await session.columnsOf([target]);
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
  const rowsDeleted =
    plan.strategy === "window_overwrite"
      ? await session.count(`delete from ${target} as ${targetAlias}\n where ${inTarget.sql}`, inTarget.params)
      : 0;
  const rowsWritten = await session.count(`${insert}\n where ${inOutput.sql}`, inOutput.params);
  return { rowsWritten, rowsDeleted };
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
