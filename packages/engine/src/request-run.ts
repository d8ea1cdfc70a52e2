import type { BackfillPolicy } from "@almanac/project";
import type { EngineContext } from "./engine-context.js";
import { planRequest } from "./materialize-selection.js";
import type { RunRequest } from "./run-request.js";
import { inPlanSpan } from "./run-spans.js";
import { type RunTrigger, type SubmittedRun, submitRun } from "./submit-run.js";

export interface RequestRunOptions {
  readonly now: Date;
  readonly trigger: RunTrigger;
  /** Overrides almanac.yml's backfill policy for the steps of this run. */
  readonly policy?: BackfillPolicy;
}

/**
 * Records a run requested from outside (REST, a schedule tick) for a worker to execute: checks
 * the request, plans it, and records it with its partitions queued — or, when every requested
 * asset partition is already queued or running in one run, returns that run (`existing`), so
 * duplicate requests never start a second writer. The caller enqueues a new run after this.
 */
export async function requestRun(
  ctx: EngineContext,
  request: RunRequest,
  options: RequestRunOptions,
): Promise<SubmittedRun> {
  const { resolved, steps } = inPlanSpan(request, () => planRequest(ctx.project, request, options.now, options.policy));
  return submitRun(ctx.store, resolved, steps, { trigger: options.trigger, joinExisting: true });
}
