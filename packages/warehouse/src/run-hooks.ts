import { AlmanacError, isAlmanacError, isRetryableDatabaseError, sqlState } from "@almanac/errors";
import type pg from "pg";

/** A rendered dbt hook: its label (`post-hook 2`) and SQL. */
export interface HookStatement {
  readonly label: string;
  readonly sql: string;
}

/**
 * Runs `hooks` in order on `client`, inside whatever transaction the caller holds (a step's, so
 * a failing hook rolls the partition's write back with it). `owner` names what the hooks belong
 * to in messages (`model daily_metrics`, `seed raw_customers`, `the run`).
 *
 * @throws AlmanacError `ALMANAC_MODEL_SQL_ERROR` naming the hook and owner, with the hook's SQL
 *   in `details.sql`; `ALMANAC_TRANSIENT_DB_ERROR` (retryable) for a lost connection or deadlock
 */
export async function runHooks(client: pg.ClientBase, hooks: readonly HookStatement[], owner: string): Promise<void> {
  for (const hook of hooks) {
    try {
      await client.query(hook.sql);
    } catch (error) {
      throw hookError(error, hook, owner);
    }
  }
}

function hookError(error: unknown, hook: HookStatement, owner: string): unknown {
  if (isAlmanacError(error)) return error;
  const code = sqlState(error);
  const fields = (error ?? {}) as { message?: string; detail?: string; hint?: string };
  const pgMessage = `${fields.message ?? String(error)}${code ? ` (SQLSTATE ${code})` : ""}`;
  if (isRetryableDatabaseError(error)) {
    return new AlmanacError(
      "ALMANAC_TRANSIENT_DB_ERROR",
      `transient database error in ${hook.label} of ${owner}: ${pgMessage}; the step can be retried`,
      { sqlState: code, sql: hook.sql, hook: hook.label },
      { cause: error },
    );
  }
  if (code === undefined) return error;
  let message = `${hook.label} of ${owner} failed: ${pgMessage}`;
  if (fields.detail) message += `. Detail: ${fields.detail}`;
  if (fields.hint) message += `. Hint: ${fields.hint}`;
  return new AlmanacError("ALMANAC_MODEL_SQL_ERROR", message, { sqlState: code, sql: hook.sql, hook: hook.label });
}
