import { AlmanacError, isAlmanacError, isRetryableDatabaseError, sqlState } from "@almanac/errors";
import { quoteRelation } from "./relations.js";
import type { Relation } from "./types.js";

/** Where a failing statement came from, so the error can point at the model's own SQL. */
export interface StatementContext {
  /** The statement that failed, in full. */
  readonly sql: string;
  /** The model's rendered SELECT, which `sql` may embed. */
  readonly modelSql: string;
  readonly relation: Relation;
  /** Statements executed before and including the failing one. */
  readonly statements: readonly string[];
}

/** The fields of a `pg` DatabaseError this module reads. */
interface PostgresErrorFields {
  readonly message?: string;
  readonly position?: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** SQLSTATE 2BP01: a drop refused because views or constraints depend on the object. */
export const dependentObjectsStillExist = "2BP01";

/**
 * Turns what `client.query` threw into the error the caller should see:
 * - transient failures (deadlock, serialization, lost connection) → `ALMANAC_TRANSIENT_DB_ERROR`
 *   with the original as `cause`, so the step is retried rather than the partition failed;
 * - any other Postgres error → `ALMANAC_MODEL_SQL_ERROR` with the SQLSTATE, the line of the
 *   rendered SQL when the error points inside it, and the full statement in `details.sql`;
 * - anything else (already an AlmanacError, a bug) is returned unchanged.
 */
export function toWarehouseError(error: unknown, context: StatementContext): unknown {
  if (isAlmanacError(error)) return error;
  const code = sqlState(error);
  const fields = (error ?? {}) as PostgresErrorFields;
  const target = quoteRelation(context.relation);
  const pgMessage = fields.message ?? String(error);
  if (isRetryableDatabaseError(error)) {
    return new AlmanacError(
      "ALMANAC_TRANSIENT_DB_ERROR",
      `transient database error while materializing ${target}: ${pgMessage}${code ? ` (SQLSTATE ${code})` : ""}; the step can be retried`,
      { sqlState: code, sql: context.sql, statements: context.statements },
      { cause: error },
    );
  }
  if (code === undefined) return error;

  const position = fields.position === undefined ? undefined : Number(fields.position);
  const line = position === undefined ? undefined : modelSqlLine(context.sql, context.modelSql, position);
  const where =
    line === undefined ? ` while materializing ${target}` : ` at line ${line} of the rendered SQL (model ${target})`;
  let message = `${pgMessage} (SQLSTATE ${code})${where}`;
  if (fields.detail) message += `. Detail: ${fields.detail}`;
  if (code === dependentObjectsStillExist) {
    message += `. Almanac never drops other objects silently (no CASCADE): drop or redefine the dependent objects, then re-run`;
  } else if (fields.hint) {
    message += `. Hint: ${fields.hint}`;
  }
  return new AlmanacError(
    "ALMANAC_MODEL_SQL_ERROR",
    message,
    {
      sqlState: code,
      position,
      line,
      sql: context.sql,
      detail: fields.detail,
      hint: fields.hint,
      statements: context.statements,
    },
    { cause: error },
  );
}

/**
 * The 1-based line of the model's SQL that a Postgres error position (1-based character index
 * into the whole statement) points at, or `undefined` when it points at Almanac's wrapper.
 */
export function modelSqlLine(statement: string, modelSql: string, position: number): number | undefined {
  if (modelSql.length === 0 || !Number.isInteger(position) || position < 1) return undefined;
  const start = statement.indexOf(modelSql);
  if (start < 0) return undefined;
  // Postgres counts characters (code points); JS strings index UTF-16 units. Convert so
  // models with emoji or other astral characters still get the right line.
  const index = codeUnitIndex(statement, position - 1);
  if (index < start || index >= start + modelSql.length) return undefined;
  let line = 1;
  for (let i = start; i < index; i++) if (statement.charCodeAt(i) === 10) line++;
  return line;
}

function codeUnitIndex(text: string, codePoints: number): number {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < text.length; seen++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
  }
  return index;
}
