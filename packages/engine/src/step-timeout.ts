import { AlmanacError, isAlmanacError, sqlState } from "@almanac/errors";

/**
 * Default bound on each statement of a step (`ALMANAC_STEP_TIMEOUT_MS`): one hour. A model that
 * hangs (a lock it never gets, a runaway join, `pg_sleep`) otherwise holds a worker slot and its
 * locks forever while its heartbeat keeps the run looking alive, so the reconciler never steps
 * in. An hour is far beyond what one partition's statement takes on the data Almanac targets, so
 * it only ever stops a stuck step; a `single_run` backfill over years of data may need more:
 * raise it, or set 0 for no limit.
 */
export const defaultStepTimeoutMs = 3_600_000;

/** SQLSTATE 57014 query_canceled: `statement_timeout` fired (or someone cancelled the backend). */
const queryCanceled = "57014";

/** The step timeout in effect: `ALMANAC_STEP_TIMEOUT_MS` if set, else the default; 0 = none. */
export function stepTimeoutMs(timeoutMs: number | undefined): number {
  return Math.floor(timeoutMs ?? defaultStepTimeoutMs);
}

/**
 * The step's error when a statement was cancelled by the step timeout: `ALMANAC_STEP_TIMEOUT`,
 * not retryable (a step that hung once will hang again; retrying forever would hold a worker),
 * naming the limit and how to change it. Anything else: undefined.
 */
export function stepTimeoutError(error: unknown, timeoutMs: number | undefined): AlmanacError | undefined {
  if (sqlState(error) !== queryCanceled) return undefined;
  const ms = stepTimeoutMs(timeoutMs);
  const details = isAlmanacError(error) ? error.details : {};
  return new AlmanacError(
    "ALMANAC_STEP_TIMEOUT",
    `a statement ran longer than the step timeout of ${ms} ms and was cancelled (SQLSTATE 57014); ` +
      "fix the model or raise ALMANAC_STEP_TIMEOUT_MS (0 = no limit)",
    { ...details, sqlState: queryCanceled, timeoutMs: ms },
    { cause: error },
  );
}
