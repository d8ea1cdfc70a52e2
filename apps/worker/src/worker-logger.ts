import type { QueueLogger } from "@almanac/queue";

/** What the worker logs through: a structural subset of pino's `Logger` (fields, then message). */
export interface WorkerLogger extends QueueLogger {
  debug(fields: Record<string, unknown>, message: string): void;
}
