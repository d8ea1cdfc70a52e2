import { type ErrorCode, errorCodes } from "./error-codes.js";

/**
 * The one error type Almanac raises for things a user or operator can act on.
 * `code` is stable (scripts and the REST API match on it); `message` says what was wrong,
 * where, and what to do. `details` carries machine-readable context (file, line, partition,
 * Postgres code, rendered SQL) that callers may show or store.
 */
export class AlmanacError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AlmanacError";
    this.code = code;
    this.details = details;
  }

  /** HTTP status a REST API should answer with for this error. */
  get httpStatus(): number {
    return errorCodes[this.code].httpStatus;
  }

  /** Whether retrying the same work later may succeed (lost connection, deadlock…). */
  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }
}

/** Narrowing helper that also works across duplicated module instances. */
export function isAlmanacError(error: unknown): error is AlmanacError {
  if (error instanceof AlmanacError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && error.name === "AlmanacError" && typeof code === "string" && code in errorCodes;
}
