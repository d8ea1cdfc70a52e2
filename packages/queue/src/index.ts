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
export type { RedisConnection } from "./redis-target.js";
export { assertRedisUrl, isClusterUrl, queuePrefix } from "./redis-target.js";
export type { RunJobState } from "./run-job-states.js";
export { runJobStates } from "./run-job-states.js";
export type { RunQueue } from "./run-queue.js";
export { createRunQueue, runJobName, runJobOptions, runQueueName } from "./run-queue.js";
export type { ScheduleQueue, ScheduleTickData, ScheduleTiming } from "./schedule-queue.js";
export {
  createScheduleQueue,
  scheduleQueueName,
  scheduleTickJobName,
  scheduleTickJobOptions,
} from "./schedule-queue.js";
export type { ScheduleTickJob, ScheduleTickWorker, ScheduleTickWorkerOptions } from "./schedule-tick-worker.js";
export { startScheduleTickWorker } from "./schedule-tick-worker.js";
export type { QueueSettings, RunJobData, RunJobResult, RunToEnqueue } from "./types.js";
