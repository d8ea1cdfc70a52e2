import { AlmanacError } from "@almanac/errors";
import { lockRelationDdl } from "./ddl-lock.js";
import { quoteIdentifier, quoteRelation, siblingIdentifier } from "./relations.js";
import type { MaterializeSession } from "./session.js";
import {
  firstSnapshotSelect,
  snapshotMergeStatements,
  snapshotStagingSelect,
  stagingOnlyColumns,
  strategySql,
} from "./snapshot-sql.js";
import type { SnapshotSpec } from "./types.js";

/** Suffix of the temporary staging table of a later snapshot run (dbt's `__dbt_tmp`). */
const stagingSuffix = "__dbt_tmp";

/** Rows a snapshot run changed. */
export interface SnapshotCounts {
  /** Versions inserted plus versions closed. */
  readonly rowsWritten: number;
}

/**
 * Builds or advances a dbt snapshot, in the caller's transaction. The first run creates the
 * table: the select's rows, each current. A later run stages what changed in a temporary table
 * (dropped at commit), adds columns the select gained, closes the versions that changed (and per
 * `hard_deletes`, those whose key vanished), and inserts the new versions — dbt-postgres 1.9's
 * statements, so the table matches what `dbt snapshot` leaves.
 */
export async function materializeSnapshot(
  session: MaterializeSession,
  select: string,
  spec: SnapshotSpec,
): Promise<SnapshotCounts> {
  const relation = session.relation;
  const target = quoteRelation(relation);
  await lockRelationDdl(session, relation);
  const kind = await session.kindOf(relation);
  if (kind === "view") {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `snapshot ${relation.schema}.${relation.identifier}: a view stands at its name; a snapshot is a table (drop the view first)`,
      { relation },
    );
  }
  if (kind === undefined) {
    return { rowsWritten: await session.count(`create table ${target} as (\n${firstSnapshotSelect(spec, select)}\n)`) };
  }

  const [targetColumns = []] = await session.columnsOf([target]);
  const targetNames = targetColumns.map((column) => column.name);
  const names = spec.columnNames;
  const missingMeta = [names.dbt_scd_id, names.dbt_valid_from, names.dbt_valid_to, names.dbt_updated_at].filter(
    (name) => !targetNames.includes(name),
  );
  if (missingMeta.length > 0) {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `snapshot ${relation.schema}.${relation.identifier}: the existing table lacks ${missingMeta.join(", ")}, so it is no snapshot table (or snapshot_meta_column_names changed): drop it or rename the columns`,
      { relation, missing: missingMeta },
    );
  }
  const selectNames = (await session.outputColumnsOf(select)).map((column) => column.name);
  const strategy =
    spec.strategy === "check"
      ? strategySql(spec, await checkedColumns(session, select, spec, targetNames))
      : strategySql(spec);

  const staging = quoteIdentifier(siblingIdentifier(relation.identifier, stagingSuffix));
  await session.run(`drop table if exists pg_temp.${staging}`);
  await session.run(
    `create temporary table ${staging} on commit drop as (\n${snapshotStagingSelect(spec, select, {
      target,
      strategy,
      selectColumns: selectNames,
      targetColumns: targetNames,
    })}\n)`,
  );
  const [stagingColumns = []] = await session.columnsOf([`pg_temp.${staging}`]);
  const skipped = new Set(stagingOnlyColumns(spec));
  const kept = stagingColumns.filter((column) => !skipped.has(column.name));
  // A column the select gained is added to the table (dbt's create_columns); old rows hold null.
  for (const column of kept.filter((column) => !targetNames.includes(column.name))) {
    await session.run(`alter table ${target} add column ${quoteIdentifier(column.name)} ${column.dataType}`);
  }
  const merge = snapshotMergeStatements(
    spec,
    target,
    staging,
    kept.map((column) => quoteIdentifier(column.name)),
  );
  const closed = await session.count(merge.close);
  const inserted = await session.count(merge.insert);
  return { rowsWritten: closed + inserted };
}

/**
 * The check strategy's compared columns, as dbt picks them: the select's columns (`all`) or
 * `check_cols`, kept where the table has them; a column the table lacks marks every row changed.
 */
async function checkedColumns(
  session: MaterializeSession,
  select: string,
  spec: SnapshotSpec,
  targetNames: readonly string[],
): Promise<{ columns: string[]; columnAdded: boolean }> {
  const checkCols = spec.checkCols ?? "all";
  const query = checkCols === "all" ? select : `select ${checkCols.join(", ")} from (\n${select}\n) subq`;
  const names = (await session.outputColumnsOf(query)).map((column) => column.name);
  const columns = names.filter((name) => targetNames.includes(name)).map(quoteIdentifier);
  return { columns, columnAdded: columns.length < names.length };
}
