/**
 * Postgres SQLSTATEs after which the same work may succeed on retry (graphile-worker's
 * table): serialization failure, deadlock, admin shutdown, cannot connect now.
 */
const retryableSqlStates = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);

/**
 * Node socket errors that mean the connection, not the statement, failed. ENETUNREACH and
 * ENETDOWN are what a worker whose own network went away gets on reconnecting: the fault
 * suite's netns scenario found them treated as permanent, and runs given up.
 */
const retryableSocketCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
]);

/**
 * The error and the errors it wraps: drizzle wraps the `pg` error (which has the SQLSTATE) in
 * a DrizzleQueryError whose `cause` is the original.
 */
function* causeChain(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The SQLSTATE of a `pg` error (or of the one it wraps), if it is one. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * True when the connection to Postgres failed (a socket error, SQLSTATE class 08, a connection
 * ended under a query), not a statement: the database may be unreachable from here.
 */
export function isDatabaseConnectionError(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (retryableSocketCodes.has(code) || code.startsWith("08"))) return true;
    const message = e instanceof Error ? e.message : "";
    if (/Connection terminated|connection (?:is )?closed|Client has encountered a connection error/i.test(message)) {
      return true;
    }
  }
  return false;
}

/** True when a database error is transient: retry the step, do not fail the partition. */
export function isRetryableDatabaseError(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (retryableSqlStates.has(code) || retryableSocketCodes.has(code))) return true;
    const message = e instanceof Error ? e.message : "";
    if (/Connection terminated|connection (?:is )?closed|Client has encountered a connection error/i.test(message)) {
      return true;
    }
  }
  return false;
}
