export {
  closeConnection,
  type DistinctErrorLog,
  distinctErrorLog,
  logConnectionErrors,
  producerConnection,
  redactedRedisUrl,
  type WorkerConnectionOptions,
  workerConnection,
} from "./connections.js";
export { warnIfEvicting } from "./eviction-policy.js";
export { decodeJobIdPart, encodeJobIdPart, runJobId } from "./job-ids.js";
export type { QueueLogger } from "./queue-logger.js";
export { silentLogger } from "./queue-logger.js";
export type { RunQueue } from "./run-queue.js";
export { createRunQueue, runJobName, runJobOptions, runQueueName } from "./run-queue.js";
export type { QueueSettings, RunJobData, RunJobResult, RunToEnqueue } from "./types.js";
