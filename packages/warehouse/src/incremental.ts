import { randomBytes } from "node:crypto";
import { lockRelationDdl } from "./ddl-lock.js";
import { writeDirectly } from "./direct-write.js";
import type { IncrementalPlan } from "./incremental-plan.js";
import { targetAlias, type WriteCounts, writeStaged } from "./incremental-strategies.js";
import { modelAlias, modelSubquery } from "./model-sql.js";
import { type Column, quoteIdentifier, quoteRelation, type RelationKind } from "./relations.js";
import { applySchemaChange } from "./schema-change.js";
import type { MaterializeSession } from "./session.js";
import { windowPredicate } from "./window-filter.js";

/**
 * Builds or updates an incremental model.
 *
 * The target is looked up (unless the caller just did: `existingKind`) without a lock first, since in the steady state it exists and partition
 * runs of one model should proceed in parallel. Only when it is missing (or a view stands in its
 * place) is the DDL lock taken and the lookup repeated: a concurrent first run of another
 * partition may have created the table meanwhile, and then this run takes the incremental path.
 */
export async function materializeIncremental(
  session: MaterializeSession,
  select: string,
  plan: IncrementalPlan,
  existingKind?: RelationKind | null,
  existingColumns?: readonly Column[],
): Promise<WriteCounts> {
  const relation = session.relation;
  let kind = existingKind === undefined ? await session.kindOf(relation) : (existingKind ?? undefined);
  if (kind !== "table") {
    await lockRelationDdl(session, relation);
    kind = await session.kindOf(relation);
    if (kind === "view") {
      // The model used to be a view: build the table afresh, as dbt does. No CASCADE.
      await session.run(`drop view ${quoteRelation(relation)}`);
      kind = undefined;
    }
    if (kind === undefined) return createTarget(session, select, plan);
    // Looked up again under the DDL lock: the caller's columns may be of what stood before.
    return updateTarget(session, select, plan);
  }
  return updateTarget(session, select, plan, existingKind === "table" ? existingColumns : undefined);
}

/**
 * First run: the table takes the model's columns. With a window only the window's rows are
 * written (DESIGN §3.2), so the first partition run does not silently fill every other day. The
 * table is created empty first because the time column's type, which picks the bounds to compare
 * with, is only known once Postgres has typed the model's output, and `create table as` cannot
 * take bind parameters.
 */
async function createTarget(session: MaterializeSession, select: string, plan: IncrementalPlan): Promise<WriteCounts> {
  const target = quoteRelation(session.relation);
  if (!plan.restriction) {
    return { rowsWritten: await session.count(`create table ${target} as\n${select}`), rowsDeleted: 0 };
  }
  await session.run(`create table ${target} as\n${select}\nwith no data`);
  const [columns = []] = await session.columnsOf([target]);
  const { window, timeColumn } = plan.restriction;
  const filter = windowPredicate(columns, timeColumn, window, modelAlias, `the output of model ${target}`);
  const rowsWritten = await session.count(
    `insert into ${target}\n${modelSubquery(select)}\n where ${filter.sql}`,
    filter.params,
  );
  return { rowsWritten, rowsDeleted: 0 };
}

/**
 * Later runs: unless {@link writeDirectly} can skip it (the common case), the model's rows (only the window's, when there is one) are staged once in a
 * temporary table dropped at commit, the table's columns are reconciled with `on_schema_change`,
 * and the strategy moves the staged rows in. Staging runs the model's SELECT exactly once, however
 * many statements the strategy needs, and lets schema differences be seen before anything is written.
 */
async function updateTarget(
  session: MaterializeSession,
  select: string,
  plan: IncrementalPlan,
  knownColumns?: readonly Column[],
): Promise<WriteCounts> {
  const direct = await writeDirectly(session, select, plan, knownColumns);
  if (direct) return direct;
  const target = quoteRelation(session.relation);
  // Random, because one transaction may materialize several models (or one model twice) and
  // every stage lives until that transaction ends.
  const stageName = `almanac_stage_${randomBytes(6).toString("hex")}`;
  const stage = `pg_temp.${quoteIdentifier(stageName)}`;
  const restriction = plan.restriction;

  const create = `create temporary table ${quoteIdentifier(stageName)} on commit drop as\n${select}`;
  await session.run(restriction ? `${create}\nwith no data` : create);
  const [targetColumns = [], stagedColumns = []] = await session.columnsOf([target, stage]);
  if (restriction) {
    const filter = windowPredicate(
      stagedColumns,
      restriction.timeColumn,
      restriction.window,
      modelAlias,
      `the output of model ${target}`,
    );
    await session.run(`insert into ${stage}\n${modelSubquery(select)}\n where ${filter.sql}`, filter.params);
  }

  const columns = await applySchemaChange(session, plan.onSchemaChange, targetColumns, stagedColumns);
  // The table's window is found by the table's own column type (sync_all_columns may have changed it).
  const targetWindow =
    restriction &&
    windowPredicate(columns.target, restriction.timeColumn, restriction.window, targetAlias, `table ${target}`);
  return writeStaged(session, plan.strategy, {
    target,
    stage,
    columns: columns.write,
    uniqueKey: plan.uniqueKey,
    ...(targetWindow ? { targetWindow } : {}),
  });
}
