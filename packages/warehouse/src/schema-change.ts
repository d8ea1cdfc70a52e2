import { AlmanacError } from "@almanac/errors";
import { lockRelationDdl } from "./ddl-lock.js";
import { type Column, quoteIdentifier, quoteRelation } from "./relations.js";
import type { MaterializeSession } from "./session.js";
import type { SchemaChangePolicy } from "./types.js";

/** How the model's new output differs from the existing table. */
export interface SchemaDiff {
  /** In the output, not in the table (output order). */
  readonly added: readonly Column[];
  /** In the table, not in the output (table order). */
  readonly removed: readonly Column[];
  /** In both with different types. */
  readonly changed: readonly { readonly name: string; readonly from: string; readonly to: string }[];
}

/** Compares columns by name; type spellings come from `format_type`, so they compare as text. */
export function diffColumns(target: readonly Column[], output: readonly Column[]): SchemaDiff {
  const targetTypes = new Map(target.map((c) => [c.name, c.dataType]));
  const outputNames = new Set(output.map((c) => c.name));
  const changed: { name: string; from: string; to: string }[] = [];
  for (const column of output) {
    const from = targetTypes.get(column.name);
    if (from !== undefined && from !== column.dataType) changed.push({ name: column.name, from, to: column.dataType });
  }
  return {
    added: output.filter((c) => !targetTypes.has(c.name)),
    removed: target.filter((c) => !outputNames.has(c.name)),
    changed,
  };
}

function isEmpty(diff: SchemaDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** `added columns: a (integer); removed columns: b (text); changed types: c (integer → text)` */
export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.added.length > 0)
    parts.push(`added columns: ${diff.added.map((c) => `${c.name} (${c.dataType})`).join(", ")}`);
  if (diff.removed.length > 0) {
    parts.push(`removed columns: ${diff.removed.map((c) => `${c.name} (${c.dataType})`).join(", ")}`);
  }
  if (diff.changed.length > 0) {
    parts.push(`changed types: ${diff.changed.map((c) => `${c.name} (${c.from} → ${c.to})`).join(", ")}`);
  }
  return parts.join("; ");
}

/** A staged column to copy into the table. */
export interface WriteColumn {
  readonly name: string;
  /**
   * The table's type, when it differs from the staged one and the policy keeps the table's
   * types (`ignore`, `append_new_columns`): values are cast explicitly, since Postgres only
   * applies assignment casts on insert (text into integer would be refused).
   */
  readonly castTo?: string;
}

/** Columns to copy from the stage, and the table's columns once reconciled. */
export interface ReconciledColumns {
  readonly write: readonly WriteColumn[];
  readonly target: readonly Column[];
}

/**
 * Reconciles the existing table with the model's new output per `on_schema_change` (dbt's four
 * policies) and returns the columns to copy from the staged output into the table.
 *
 * - `ignore` (default): the table keeps its columns; only the ones the output also has are written.
 * - `fail`: any difference is an `ALMANAC_SCHEMA_CHANGE` error that lists it.
 * - `append_new_columns`: new output columns are added to the table; removed ones stay (and get NULL).
 * - `sync_all_columns`: new columns added, removed ones dropped, changed types altered.
 *
 * DDL happens under the relation's DDL lock, with the table's columns read again once the lock is
 * held: a concurrent partition run of the same model may have made the change already.
 */
export async function applySchemaChange(
  session: MaterializeSession,
  policy: SchemaChangePolicy,
  target: readonly Column[],
  output: readonly Column[],
): Promise<ReconciledColumns> {
  const relation = quoteRelation(session.relation);
  const diff = diffColumns(target, output);
  if (isEmpty(diff)) return { write: namesOf(output), target };

  if (policy === "fail") {
    throw new AlmanacError(
      "ALMANAC_SCHEMA_CHANGE",
      `the output of ${relation} no longer matches the table (on_schema_change: fail): ${describeDiff(diff)}. Set on_schema_change to append_new_columns or sync_all_columns, or drop the table so the next run rebuilds it`,
      { added: diff.added, removed: diff.removed, changed: diff.changed },
    );
  }
  const needsDdl = policy === "sync_all_columns" || (policy === "append_new_columns" && diff.added.length > 0);
  if (!needsDdl) return { write: sharedColumns(target, output, relation), target };

  await lockRelationDdl(session, session.relation);
  const [current = []] = await session.columnsOf([relation]);
  const fresh = diffColumns(current, output);
  const clauses = fresh.added.map((c) => `add column ${quoteIdentifier(c.name)} ${c.dataType}`);
  if (policy === "sync_all_columns") {
    for (const c of fresh.removed) clauses.push(`drop column ${quoteIdentifier(c.name)}`);
    for (const c of fresh.changed) {
      const name = quoteIdentifier(c.name);
      clauses.push(`alter column ${name} type ${c.to} using ${name}::${c.to}`);
    }
  }
  // One ALTER: one table rewrite at most, and one round trip.
  if (clauses.length > 0) await session.run(`alter table ${relation}\n  ${clauses.join(",\n  ")}`);
  if (policy === "sync_all_columns") return { write: namesOf(output), target: output };
  const reconciled = [...current, ...fresh.added];
  return { write: sharedColumns(reconciled, output, relation), target: reconciled };
}

function namesOf(columns: readonly Column[]): WriteColumn[] {
  return columns.map((c) => ({ name: c.name }));
}

/** Output columns the table also has, in the output's order, cast to the table's type where it differs. */
function sharedColumns(target: readonly Column[], output: readonly Column[], relation: string): WriteColumn[] {
  const targetTypes = new Map(target.map((c) => [c.name, c.dataType]));
  const shared: WriteColumn[] = [];
  for (const column of output) {
    const type = targetTypes.get(column.name);
    if (type === undefined) continue;
    shared.push(type === column.dataType ? { name: column.name } : { name: column.name, castTo: type });
  }
  if (shared.length === 0) {
    throw new AlmanacError(
      "ALMANAC_SCHEMA_CHANGE",
      `the output of ${relation} has no column in common with the table (table: ${target.map((c) => c.name).join(", ")}; output: ${output.map((c) => c.name).join(", ")}); drop the table so the next run rebuilds it`,
    );
  }
  return shared;
}
