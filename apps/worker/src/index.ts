export { RunJobGaveUp, runJobError, runJobErrorKind, WorkerStoppedError } from "./run-job-errors.js";
export type { RunJobProcessorOptions } from "./run-job-processor.js";
export { runJobProcessor } from "./run-job-processor.js";
export { installShutdown } from "./shutdown.js";
export type { RunningWorker, WorkerOptions } from "./start-worker.js";
export { startWorker } from "./start-worker.js";
export type { WorkerLogger } from "./worker-logger.js";
