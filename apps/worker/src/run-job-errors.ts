import { isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import { UnrecoverableError } from "bullmq";

/**
 * The worker is shutting down past its deadline: the run stopped between steps and stays
 * `running` in Postgres, to be resumed after its last finished step by whoever picks it up.
 */
export class WorkerStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerStoppedError";
  }
}

/**
 * What BullMQ should do with a run job whose `executeRun` threw.
 * - `retry`: transient — a retryable `AlmanacError`, a Postgres error that may pass (40001,
 *   40P01, 57P01, 57P03, a reset connection), or this worker stopping mid-run. BullMQ retries
 *   with backoff; the engine resumes the run after its last finished step.
 * - `give_up`: anything else — the run is already finished or owned by a newer attempt, the
 *   project no longer defines its partitions, a bug. Retrying would fail the same way.
 */
export function runJobErrorKind(error: unknown): "retry" | "give_up" {
  if (error instanceof WorkerStoppedError) return "retry";
  if (isAlmanacError(error) && error.retryable) return "retry";
  return isRetryableDatabaseError(error) ? "retry" : "give_up";
}

/**
 * A run job that must not be retried. It is a BullMQ `UnrecoverableError` (BullMQ checks the
 * class or the name) that keeps the `AlmanacError` code, so the `failed` listener can tell an
 * expected race from a fault.
 */
export class RunJobGaveUp extends UnrecoverableError {
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message);
    this.name = "UnrecoverableError";
    this.code = code;
    if (options?.cause !== undefined) this.cause = options.cause;
  }

  /**
   * A duplicate delivery of a run that finished meanwhile, or an attempt superseded by a newer
   * one: expected when jobs are re-enqueued, so a warning rather than an error.
   */
  get expectedRace(): boolean {
    return this.code === "ALMANAC_UNKNOWN_RUN" || this.code === "ALMANAC_RUN_TAKEN_OVER";
  }
}

/**
 * The error a run job's processor throws: the original one when BullMQ should retry, else a
 * {@link RunJobGaveUp} carrying the code and message.
 */
export function runJobError(error: unknown): Error {
  if (runJobErrorKind(error) === "retry") return error instanceof Error ? error : new Error(String(error));
  const message = error instanceof Error ? error.message : String(error);
  const code = isAlmanacError(error) ? error.code : undefined;
  return new RunJobGaveUp(code ? `${code}: ${message}` : message, code, { cause: error });
}
