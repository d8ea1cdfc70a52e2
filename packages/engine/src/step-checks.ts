import type pg from "pg";
import type { EngineContext } from "./engine-context.js";
import { checksOf, runChecks, seeFailures } from "./run-checks.js";
import type { RunEvent } from "./run-events.js";
import { stepLabel } from "./run-events.js";

/**
 * Runs the checks of a step's model on the partitions it just committed and turns the outcomes
 * into run events: one error event per failed check and partition, one warn event per warned
 * one, one info line for the rest. Never throws: the data is committed and the partitions are
 * materialized whatever the checks say, so a check that cannot run is a warning on the run.
 * `client` is the step's own, idle after its commit.
 */
export async function checkStepPartitions(
  ctx: EngineContext,
  step: { runId: string; idx: number; assetKey: string; partitionFrom?: string | null; partitionTo?: string | null },
  keys: readonly string[],
  client: pg.PoolClient,
): Promise<RunEvent[]> {
  if (checksOf(ctx, step.assetKey).length === 0) return [];
  const event = (level: RunEvent["level"], message: string, data?: Record<string, unknown>): RunEvent => ({
    runId: step.runId,
    stepIdx: step.idx,
    level,
    message,
    data,
  });
  try {
    const outcomes = await runChecks(ctx, step.assetKey, keys, step.runId, client);
    const events: RunEvent[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === "passed") continue;
      const where = outcome.partitionKey === "" ? step.assetKey : `${step.assetKey} [${outcome.partitionKey}]`;
      const found =
        outcome.failures === null ? `could not run: ${outcome.message}` : `${outcome.failures} failing rows`;
      events.push(
        event(
          outcome.status === "failed" ? "error" : "warn",
          `check ${outcome.checkName} ${outcome.status} on ${where}: ${found}${seeFailures(outcome)}`,
          {
            check: outcome.checkName,
            partitionKey: outcome.partitionKey,
            status: outcome.status,
            failures: outcome.failures,
            ...(outcome.failuresRelation === undefined ? {} : { failuresRelation: outcome.failuresRelation }),
          },
        ),
      );
    }
    const passed = outcomes.filter((outcome) => outcome.status === "passed").length;
    events.push(
      event("info", `${stepLabel(step)}: ${passed} of ${outcomes.length} checks passed`, {
        passed,
        total: outcomes.length,
      }),
    );
    return events;
  } catch (error) {
    return [event("warn", `${stepLabel(step)}: checks could not run: ${(error as Error).message}`)];
  }
}
