import { type EngineContext, executeRunInTurn, type StepReport } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import { type RunJobData, type RunJobResult, type RunToEnqueue, runQueueName } from "@almanac/queue";
import { inJobTraceContext, inSpan } from "@almanac/tracing";
import { DelayedError, type Job } from "bullmq";
import { runJobError, WorkerStoppedError } from "./run-job-errors.js";
import type { WorkerLogger } from "./worker-logger.js";

export interface RunJobProcessorOptions {
  readonly ctx: EngineContext;
  readonly workerId: string;
  readonly logger: WorkerLogger;
  /** Aborted when the worker's shutdown deadline passes: runs stop after their current step. */
  readonly stopping: AbortSignal;
  /**
   * Aborted when the worker begins to stop. A job BullMQ fetched as it finished the one before,
   * but not yet begun, is handed back untouched so another worker takes it at once.
   */
  readonly beganStopping?: AbortSignal;
  /**
   * Hands the runs a finished backfill run made startable (its next wave) to the queue. When it
   * fails, they stay queued in Postgres for the reconciler. Default: not handed over.
   */
  readonly enqueueRuns?: (runs: readonly RunToEnqueue[]) => Promise<void>;
  /** Where finished runs and steps are counted. Default: not counted. */
  readonly metrics?: AlmanacMetrics;
}

/**
 * A backfill run whose earlier wave is unfinished is looked at again after this: 1 s, doubling,
 * at most 30 s — short enough that a wave starts soon after the one before ends, long enough that
 * thousands of early jobs do not keep the workers busy asking.
 */
const waitingDelayMs = (job: Job) => Math.min(30_000, 1_000 * 2 ** Math.min(5, Math.max(0, job.attemptsStarted - 1)));

/**
 * The BullMQ processor of run jobs. The engine records everything in Postgres (steps, statuses,
 * events, cancel, resume, fencing by attempt); the job only reports how it ended. A finished run
 * completes the job whatever its status — a failed model is recorded, and retrying would fail
 * it again — and its status is the job's result. A thrown error is mapped by `runJobError`.
 */
export function runJobProcessor(
  options: RunJobProcessorOptions,
): (job: Job<RunJobData, RunJobResult>, token?: string) => Promise<RunJobResult> {
  const { ctx, workerId, logger, stopping, beganStopping, enqueueRuns, metrics } = options;
  return async (job, token) => {
    const { runId } = job.data;
    const fields = { runId, jobId: job.id, jobAttempt: job.attemptsMade + 1 };
    if (beganStopping?.aborted) {
      logger.debug(fields, `run ${runId} handed back: the worker is stopping`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    logger.info(fields, `run ${runId} started`);
    // The run's spans continue the trace of whoever enqueued it (a request, a schedule tick).
    const attributes = {
      "messaging.system": "bullmq",
      "messaging.destination.name": runQueueName,
      "messaging.message.id": job.id ?? "",
      "almanac.run.id": runId,
      "almanac.job.attempt": fields.jobAttempt,
    };
    return inJobTraceContext(job.data.trace, () =>
      inSpan(`${runQueueName} process`, { kind: "consumer", attributes, isExpected: isDelayed }, () =>
        processRun(job, token, fields),
      ),
    );
  };

  async function processRun(
    job: Job<RunJobData, RunJobResult>,
    token: string | undefined,
    fields: { runId: string; jobId: string | undefined; jobAttempt: number },
  ): Promise<RunJobResult> {
    const { runId } = fields;
    const onStep = (report: StepReport) => {
      logStep(logger, runId, report);
      metrics?.stepFinished(report);
      // Between steps is the only safe place to stop: the step's data and status are committed.
      if (stopping.aborted) {
        throw new WorkerStoppedError(
          `worker ${workerId} is shutting down: run ${runId} stopped after step ${report.idx + 1}/${report.total} ` +
            "and resumes from there when picked up again",
        );
      }
    };
    let turn: Awaited<ReturnType<typeof executeRunInTurn>>;
    try {
      turn = await executeRunInTurn(ctx, runId, { workerId, onStep });
    } catch (error) {
      throw runJobError(error);
    }
    if (turn.kind === "waiting") {
      // An earlier wave of its backfill is unfinished: whoever finishes it enqueues this run;
      // meanwhile the job (enqueued early, say by the reconciler) waits without using an attempt.
      logger.debug({ ...fields, waitingOn: turn.waitingOn }, `run ${runId} waits for an earlier wave of its backfill`);
      await job.moveToDelayed(Date.now() + waitingDelayMs(job), token);
      throw new DelayedError();
    }
    metrics?.runFinished(turn.status);
    const level = turn.status === "succeeded" ? "info" : "warn";
    logger[level]({ ...fields, status: turn.status }, `run ${runId} ${turn.status}`);
    if (turn.next.length > 0 && enqueueRuns) {
      await enqueueRuns(turn.next).catch((error: unknown) =>
        logger.warn(
          { ...fields, err: error, next: turn.next.length },
          "could not enqueue the next runs of the backfill; the reconciler will",
        ),
      );
    }
    return { status: turn.status };
  }
}

/** A job sent back to wait for an earlier wave of its backfill: not a failure. */
const isDelayed = (error: unknown) => error instanceof DelayedError;

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
