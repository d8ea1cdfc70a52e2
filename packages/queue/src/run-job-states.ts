import { AlmanacError } from "@almanac/errors";
import { runJobId } from "./job-ids.js";
import type { RunQueue } from "./run-queue.js";
import type { RunToEnqueue } from "./types.js";

/**
 * Where a run attempt's job is in the queue: `missing` (never added, or lost with Redis's data),
 * `pending` (waiting, delayed or being processed) or `finished` (completed or given up, at
 * `finishedAt`). The reconciler compares these with what Postgres says is owed.
 */
export type RunJobState =
  | { readonly state: "missing" }
  | { readonly state: "pending" }
  | { readonly state: "finished"; readonly finishedAt: Date };

/** Jobs looked up concurrently; ioredis pipelines them on the connection. */
const lookupBatch = 500;

/**
 * The state of each run attempt's job ({@link runJobId}), in the order given. Lookups go out
 * 500 at a time on the queue's connection, so thousands of runs take a few round trips.
 *
 * @throws AlmanacError `ALMANAC_QUEUE_UNAVAILABLE` when Redis does not answer.
 */
export async function runJobStates(runQueue: RunQueue, runs: readonly RunToEnqueue[]): Promise<RunJobState[]> {
  const states: RunJobState[] = [];
  try {
    for (let start = 0; start < runs.length; start += lookupBatch) {
      const batch = runs.slice(start, start + lookupBatch);
      const jobs = await Promise.all(batch.map((run) => runQueue.queue.getJob(runJobId(run.runId, run.attempt))));
      for (const job of jobs) {
        if (!job) states.push({ state: "missing" });
        else if (job.finishedOn) states.push({ state: "finished", finishedAt: new Date(job.finishedOn) });
        else states.push({ state: "pending" });
      }
    }
  } catch (error) {
    if (error instanceof AlmanacError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AlmanacError(
      "ALMANAC_QUEUE_UNAVAILABLE",
      `could not read run jobs from Redis: ${message}`,
      {},
      { cause: error },
    );
  }
  return states;
}
