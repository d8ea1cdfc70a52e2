import { type EngineContext, executeRun, type StepReport } from "@almanac/engine";
import type { RunJobData, RunJobResult } from "@almanac/queue";
import type { Job } from "bullmq";
import { runJobError, WorkerStoppedError } from "./run-job-errors.js";
import type { WorkerLogger } from "./worker-logger.js";

export interface RunJobProcessorOptions {
  readonly ctx: EngineContext;
  readonly workerId: string;
  readonly logger: WorkerLogger;
  /** Aborted when the worker's shutdown deadline passes: runs stop after their current step. */
  readonly stopping: AbortSignal;
}

/**
 * The BullMQ processor of run jobs. The engine records everything in Postgres (steps, statuses,
 * events, cancel, resume, fencing by attempt); the job only reports how it ended. A finished run
 * completes the job whatever its status — a failed model is recorded, and retrying would fail
 * it again — and its status is the job's result. A thrown error is mapped by `runJobError`.
 */
export function runJobProcessor(
  options: RunJobProcessorOptions,
): (job: Job<RunJobData, RunJobResult>) => Promise<RunJobResult> {
  const { ctx, workerId, logger, stopping } = options;
  return async (job) => {
    const { runId } = job.data;
    const fields = { runId, jobId: job.id, jobAttempt: job.attemptsMade + 1 };
    logger.info(fields, `run ${runId} started`);
    const onStep = (report: StepReport) => {
      logStep(logger, runId, report);
      // Between steps is the only safe place to stop: the step's data and status are committed.
      if (stopping.aborted) {
        throw new WorkerStoppedError(
          `worker ${workerId} is shutting down: run ${runId} stopped after step ${report.idx + 1}/${report.total} ` +
            "and resumes from there when picked up again",
        );
      }
    };
    try {
      const result = await executeRun(ctx, runId, { workerId, onStep });
      const level = result.status === "succeeded" ? "info" : "warn";
      logger[level]({ ...fields, status: result.status }, `run ${runId} ${result.status}`);
      return { status: result.status };
    } catch (error) {
      throw runJobError(error);
    }
  };
}

function logStep(logger: WorkerLogger, runId: string, report: StepReport): void {
  const partition = report.partitionFrom
    ? report.partitionTo && report.partitionTo !== report.partitionFrom
      ? `${report.partitionFrom}..${report.partitionTo}`
      : report.partitionFrom
    : undefined;
  const fields = {
    runId,
    step: `${report.idx + 1}/${report.total}`,
    asset: report.assetKey,
    partition,
    status: report.status,
    rowsWritten: report.rowsWritten,
    rowsDeleted: report.rowsDeleted,
    durationMs: report.durationMs,
    errorCode: report.errorCode,
  };
  const label = `${report.assetKey}${partition ? ` ${partition}` : ""}`;
  if (report.status === "succeeded") logger.debug(fields, `${label} succeeded`);
  else logger.warn({ ...fields, errorMessage: report.errorMessage }, `${label} ${report.status}`);
}
