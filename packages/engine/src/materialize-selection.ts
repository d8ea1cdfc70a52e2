import { type BackfillPolicy, type Project, partitionsOf } from "@almanac/project";
import type { EngineContext, ExecuteOptions } from "./engine-context.js";
import { executeRun, type RunResult } from "./execute-run.js";
import { type PlannedStep, planRun } from "./plan-run.js";
import { type ResolvedRequest, type RunRequest, resolveRunRequest } from "./run-request.js";
import { type RunTrigger, submitRun } from "./submit-run.js";

export interface MaterializeOptions extends ExecuteOptions {
  /** Overrides the backfill policy of almanac.yml for this run. */
  readonly policy?: BackfillPolicy;
  /** For key validation ("after the last partition"). */
  readonly now: Date;
  readonly trigger?: RunTrigger;
  /** Called once the run is recorded, before its first step. */
  readonly onPlanned?: (plan: { runId: string; request: ResolvedRequest; steps: readonly PlannedStep[] }) => void;
}

/**
 * Materializes a selection over a partition or range in this process (`almanac materialize`):
 * resolve and check the request, plan the steps, record the run with its partitions queued,
 * then execute it. Bad input throws before anything is written.
 */
export async function materializeSelection(
  ctx: EngineContext,
  request: RunRequest,
  options: MaterializeOptions,
): Promise<RunResult> {
  const { resolved, steps } = planRequest(ctx.project, request, options.now, options.policy);
  const { runId } = await submitRun(ctx.store, resolved, steps, { trigger: options.trigger ?? "cli" });
  options.onPlanned?.({ runId, request: resolved, steps });
  return executeRun(ctx, runId, options);
}

/**
 * Resolves and plans a request: the policy comes from the request, else almanac.yml, else one
 * partition per step. Pure; throws on bad input before anything is written.
 */
export function planRequest(
  project: Project,
  request: RunRequest,
  now: Date,
  policyOverride?: BackfillPolicy,
): { resolved: ResolvedRequest; steps: PlannedStep[] } {
  const resolved = resolveRunRequest(project, request, now);
  const policy = policyOverride ?? policyOf(project, resolved.models, resolved.partitions?.name);
  const steps = planRun(project, resolved, {
    maxPartitionsPerStep: policy.type === "single_run" ? resolved.keys.length : policy.maxPartitionsPerRun,
  });
  return { resolved, steps };
}

/**
 * The policy almanac.yml sets for the selected models: when they differ, the one with the
 * smallest chunks wins, since a model that asked for one partition per run may not be able
 * to handle more at once. With `definition`, only models of that definition (the request's)
 * count: those of other definitions cut their steps by their own policy (planRun). Default:
 * `multi_run`, one partition per run (Dagster's default).
 */
export function policyOf(project: Project, models: readonly string[], definition?: string): BackfillPolicy {
  let chosen: BackfillPolicy | undefined;
  for (const model of models) {
    if (definition !== undefined && partitionsOf(project, model)?.name !== definition) continue;
    const policy = project.backfillPolicies.get(model);
    if (!policy) continue;
    if (!chosen || chunkSize(policy) < chunkSize(chosen)) chosen = policy;
  }
  return chosen ?? { type: "multi_run", maxPartitionsPerRun: 1 };
}

function chunkSize(policy: BackfillPolicy): number {
  return policy.type === "single_run" ? Number.POSITIVE_INFINITY : (policy.maxPartitionsPerRun ?? 1);
}
