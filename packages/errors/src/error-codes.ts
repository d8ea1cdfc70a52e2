/**
 * The one exhaustive map from error code to HTTP status and retryability.
 * Add a code here first; TypeScript then makes every `AlmanacError` use a known code.
 */
export const errorCodes = {
  // Partition keys and ranges
  ALMANAC_BAD_PARTITION_KEY: { httpStatus: 400, retryable: false },
  ALMANAC_PARTITION_OUT_OF_RANGE: { httpStatus: 400, retryable: false },
  ALMANAC_BAD_PARTITION_RANGE: { httpStatus: 400, retryable: false },
  ALMANAC_BAD_PARTITIONS_DEFINITION: { httpStatus: 400, retryable: false },
  ALMANAC_NOT_PARTITIONED: { httpStatus: 400, retryable: false },
  ALMANAC_PARTITION_REQUIRED: { httpStatus: 400, retryable: false },
  // Project loading and rendering
  ALMANAC_PROJECT_NOT_FOUND: { httpStatus: 500, retryable: false },
  ALMANAC_BAD_PROJECT_CONFIG: { httpStatus: 500, retryable: false },
  ALMANAC_UNKNOWN_ASSET: { httpStatus: 404, retryable: false },
  ALMANAC_UNKNOWN_REF: { httpStatus: 400, retryable: false },
  ALMANAC_UNKNOWN_SOURCE: { httpStatus: 400, retryable: false },
  ALMANAC_CYCLIC_REF: { httpStatus: 400, retryable: false },
  ALMANAC_BAD_SELECTOR: { httpStatus: 400, retryable: false },
  ALMANAC_EMPTY_SELECTION: { httpStatus: 404, retryable: false },
  ALMANAC_TEMPLATE_ERROR: { httpStatus: 400, retryable: false },
  ALMANAC_BAD_SEED: { httpStatus: 400, retryable: false },
  ALMANAC_CHECK_FAILED: { httpStatus: 409, retryable: false },
  ALMANAC_MISSING_VAR: { httpStatus: 400, retryable: false },
  ALMANAC_BAD_MODEL_CONFIG: { httpStatus: 400, retryable: false },
  // Warehouse
  ALMANAC_MODEL_SQL_ERROR: { httpStatus: 422, retryable: false },
  ALMANAC_SCHEMA_CHANGE: { httpStatus: 422, retryable: false },
  // A step statement outlived ALMANAC_STEP_TIMEOUT_MS: a hang fails the partition, never retried.
  ALMANAC_STEP_TIMEOUT: { httpStatus: 422, retryable: false },
  ALMANAC_WAREHOUSE_UNAVAILABLE: { httpStatus: 503, retryable: true },
  ALMANAC_TRANSIENT_DB_ERROR: { httpStatus: 503, retryable: true },
  // Store and runs
  ALMANAC_STORE_UNAVAILABLE: { httpStatus: 503, retryable: true },
  ALMANAC_QUEUE_UNAVAILABLE: { httpStatus: 503, retryable: true },
  ALMANAC_UNKNOWN_RUN: { httpStatus: 404, retryable: false },
  ALMANAC_UNKNOWN_BACKFILL: { httpStatus: 404, retryable: false },
  ALMANAC_PARTITION_LOCKED: { httpStatus: 409, retryable: true },
  ALMANAC_UPSTREAM_FAILED: { httpStatus: 424, retryable: false },
  ALMANAC_RUN_TAKEN_OVER: { httpStatus: 409, retryable: false },
  // Schedules
  // Issue 4: an unknown schedule is bad input (400), like an unknown policy.
  ALMANAC_UNKNOWN_SCHEDULE: { httpStatus: 400, retryable: false },
  // HTTP
  ALMANAC_BAD_REQUEST: { httpStatus: 400, retryable: false },
  ALMANAC_UNAUTHORIZED: { httpStatus: 401, retryable: false },
  ALMANAC_NOT_FOUND: { httpStatus: 404, retryable: false },
  ALMANAC_BODY_TOO_LARGE: { httpStatus: 413, retryable: false },
  ALMANAC_RATE_LIMITED: { httpStatus: 429, retryable: true },
  ALMANAC_INTERNAL: { httpStatus: 500, retryable: false },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;
