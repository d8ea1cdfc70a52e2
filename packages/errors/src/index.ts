export { AlmanacError, isAlmanacError } from "./almanac-error.js";
export type { ErrorCode } from "./error-codes.js";
export { errorCodes } from "./error-codes.js";
export { isDatabaseConnectionError, isRetryableDatabaseError, sqlState } from "./postgres-errors.js";
