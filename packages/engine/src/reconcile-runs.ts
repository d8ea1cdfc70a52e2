import {
  filterQueuedRuns,
  listQueuedRuns,
  type QueuedRunRef,
  type RunAttempt,
  renewQueuedRuns,
  storeDb,
  type TakenOverRun,
  takeOverStaleRuns,
} from "@almanac/store";
import type pg from "pg";

/** Where a run attempt's job is in the queue (see `@almanac/queue` `runJobStates`). */
export type RunJobState =
  | { readonly state: "missing" }
  | { readonly state: "pending" }
  | { readonly state: "finished"; readonly finishedAt: Date };

/**
 * What the reconciler needs from the run queue, so the engine stays free of Redis: the server
 * passes `runJobStates` and `enqueueRuns` of `@almanac/queue`'s run queue.
 */
export interface RunJobs {
  /** The state of each attempt's job, in the order given. */
  jobStates(runs: readonly RunAttempt[]): Promise<readonly RunJobState[]>;
  /** Adds one job per attempt; idempotent per attempt (the job id derives from it). */
  enqueueRuns(runs: readonly RunAttempt[]): Promise<void>;
}

export interface ReconcileOptions {
  /** The reconciler's clock. */
  readonly now: Date;
  /**
   * A `running` run without a heartbeat for this long is presumed dead and taken over; a
   * queued run whose job ended this long ago is given a new job. Default 60 000 ms
   * (`ALMANAC_STALE_RUN_MS`). Keep it well above the engine's 10 s step heartbeat.
   */
  readonly staleRunMs?: number;
  /**
   * Queued runs younger than this are left alone: the request that recorded them may still be
   * enqueueing, and `almanac materialize` starts its own run in-process right after recording
   * it. Default 10 000 ms.
   */
  readonly enqueueGraceMs?: number;
  /** Runs read, checked and enqueued per round trip. Default 1 000. */
  readonly batchSize?: number;
}

export interface ReconcileReport {
  /** Queued runs compared with the queue. */
  readonly checked: number;
  /** Queued runs whose job was missing (Redis lost it, or enqueueing failed): enqueued again. */
  readonly reenqueued: readonly RunAttempt[];
  /** Queued runs whose job had ended without running them: enqueued under a new attempt. */
  readonly renewed: readonly RunAttempt[];
  /** Running runs whose worker went silent: queued again under a new attempt and enqueued. */
  readonly takenOver: readonly TakenOverRun[];
}

/**
 * One reconciler pass (DESIGN §3.5: Postgres is the truth, Redis is transport). It
 * 1. takes over `running` runs whose heartbeat is older than `staleRunMs` — fenced in the
 *    store (the attempt is bumped only while the heartbeat is still stale), so a late worker's
 *    next heartbeat or `finishRun` is refused — and enqueues their new attempt; the engine
 *    resumes each after its last succeeded step;
 * 2. walks every queued run, page by page, and enqueues those whose job is missing from Redis
 *    (same attempt, same job id), and gives a new attempt to those whose job ended long ago.
 *
 * Safe to run from several servers at once: takeovers lock rows with `skip locked`, renewals
 * are fenced by attempt, and enqueueing an attempt twice gives one job. A run is re-checked in
 * Postgres just before it is enqueued, so one a worker started meanwhile gets no second job.
 *
 * @throws AlmanacError `ALMANAC_QUEUE_UNAVAILABLE` when Redis does not answer; the next pass
 *   picks up where this one left off, since everything it acts on is read from Postgres.
 */
export async function reconcileRuns(
  store: pg.Pool,
  jobs: RunJobs,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const db = storeDb(store);
  const staleRunMs = options.staleRunMs ?? 60_000;
  const batchSize = options.batchSize ?? 1_000;
  const now = options.now.getTime();

  const takenOver: TakenOverRun[] = [];
  for (;;) {
    const taken = await takeOverStaleRuns(db, { staleBefore: new Date(now - staleRunMs), limit: batchSize });
    takenOver.push(...taken);
    if (taken.length > 0) await jobs.enqueueRuns(taken.map(({ runId, attempt }) => ({ runId, attempt })));
    if (taken.length < batchSize) break;
  }

  let checked = 0;
  const reenqueued: RunAttempt[] = [];
  const renewed: RunAttempt[] = [];
  const createdBefore = new Date(now - (options.enqueueGraceMs ?? 10_000));
  let after: QueuedRunRef | undefined;
  for (;;) {
    const page = await listQueuedRuns(db, { after, createdBefore, limit: batchSize });
    if (page.length === 0) break;
    checked += page.length;
    const states = await jobs.jobStates(page);
    const missing: RunAttempt[] = [];
    const ended: RunAttempt[] = [];
    page.forEach((run, i) => {
      const job = states[i];
      const attempt = { runId: run.runId, attempt: run.attempt };
      if (job?.state === "missing") missing.push(attempt);
      // BullMQ gave up on the job (retries exhausted) while the run never started: a fresh
      // job id is the only way to hand it over again. Waiting `staleRunMs` first keeps a run
      // that fails the same way every time from spinning.
      else if (job?.state === "finished" && job.finishedAt.getTime() < now - staleRunMs) ended.push(attempt);
    });
    const stillMissing = await filterQueuedRuns(db, missing);
    if (stillMissing.length > 0) await jobs.enqueueRuns(stillMissing);
    reenqueued.push(...stillMissing);
    const fresh = await renewQueuedRuns(db, ended);
    if (fresh.length > 0) await jobs.enqueueRuns(fresh);
    renewed.push(...fresh);
    if (page.length < batchSize) break;
    after = page[page.length - 1];
  }
  return { checked, reenqueued, renewed, takenOver };
}
