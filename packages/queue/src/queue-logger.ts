/**
 * The logging this package needs: a structural subset of pino's `Logger`, so the queue does
 * not depend on pino and tests can pass a recorder. Fields first, message second, as in pino.
 */
export interface QueueLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** For callers that pass no logger: connection errors are still handled, just not shown. */
export const silentLogger: QueueLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
