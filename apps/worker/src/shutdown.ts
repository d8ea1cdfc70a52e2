import type { RunningWorker } from "./start-worker.js";
import type { WorkerLogger } from "./worker-logger.js";

/**
 * On SIGTERM or SIGINT: close the worker with `deadlineMs` (default 30 000), then exit 0 (1 if
 * closing threw). A second signal exits at once with 130, for a person pressing Ctrl-C twice.
 * Returns a function that removes the handlers.
 */
export function installShutdown(worker: RunningWorker, logger: WorkerLogger, deadlineMs = 30_000): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      logger.warn({ signal }, "second signal: exiting without waiting for running runs");
      process.exit(130);
    }
    logger.info({ signal, deadlineMs }, "shutting down");
    worker.close(deadlineMs).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "worker did not close cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
