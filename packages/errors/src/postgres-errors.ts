/**
 * Postgres SQLSTATEs after which the same work may succeed on retry (graphile-worker's
 * table): serialization failure, deadlock, admin shutdown, cannot connect now.
 */
const retryableSqlStates = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);

/** Node socket errors that mean the connection, not the statement, failed. */
const retryableSocketCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** The SQLSTATE of a `pg` error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when a database error is transient: retry the step, do not fail the partition. */
export function isRetryableDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (retryableSqlStates.has(code) || retryableSocketCodes.has(code))) {
    return true;
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connection (?:is )?closed|Client has encountered a connection error/i.test(message);
}
