import { AlmanacError, isAlmanacError } from "@almanac/errors";

/** One log line of a run, as the store keeps it. */
export interface RunEvent {
  readonly runId: string;
  readonly stepIdx?: number;
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

/** `daily_metrics [2024-01-01]`, `daily_metrics [2024-01-01..2024-01-31]` or `stg_trips`. */
export function stepLabel(step: {
  assetKey: string;
  partitionFrom?: string | null;
  partitionTo?: string | null;
}): string {
  if (!step.partitionFrom) return step.assetKey;
  const range =
    step.partitionFrom === step.partitionTo ? step.partitionFrom : `${step.partitionFrom}..${step.partitionTo}`;
  return `${step.assetKey} [${range}]`;
}

/**
 * The error a failed step records: an AlmanacError whose message starts with the step (model
 * and partitions), so a user reading one line knows what failed where. Errors that are not
 * AlmanacErrors are bugs in Almanac and say so.
 */
export function toFailure(
  error: unknown,
  step: { assetKey: string; partitionFrom?: string | null; partitionTo?: string | null },
  renderedSql: string | undefined,
): AlmanacError {
  const label = stepLabel(step);
  if (isAlmanacError(error)) {
    return new AlmanacError(
      error.code,
      `${label}: ${error.message}`,
      { ...error.details, step: label },
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AlmanacError(
    "ALMANAC_INTERNAL",
    `${label}: unexpected error (a bug in Almanac, please report it): ${message}`,
    { step: label, sql: renderedSql },
    { cause: error },
  );
}
