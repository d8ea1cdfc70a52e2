import { AlmanacError, isAlmanacError } from "@almanac/errors";
import { relationOf, renderRunHooks } from "@almanac/project";
import { runHooks } from "@almanac/warehouse";
import type { EngineContext, StepReport } from "./engine-context.js";
import type { RunEvent } from "./run-events.js";
import { openWarehouseQuery } from "./warehouse-query.js";

/** What running one kind of run hook did: its log lines, and the error that stopped it. */
export interface RunHooksOutcome {
  readonly events: readonly RunEvent[];
  readonly error?: AlmanacError;
}

/**
 * Renders and runs dbt_project.yml's `on-run-start` or `on-run-end` for run `runId` on the
 * warehouse. Each hook runs on its own (autocommit), as dbt runs them: they belong to no
 * partition, so no step's transaction holds them. The first failing hook stops the others of
 * its kind. Never throws for a bad hook: the error is returned for the run to record.
 *
 * @param assets - the run's models, for on-run-end's `schemas`
 * @param reports - the steps this attempt ran, for on-run-end's `results`
 */
export async function runProjectHooks(
  ctx: EngineContext,
  runId: string,
  kind: "on-run-start" | "on-run-end",
  assets: ReadonlySet<string>,
  reports: readonly StepReport[] = [],
): Promise<RunHooksOutcome> {
  const hooks = kind === "on-run-start" ? ctx.project.runHooks?.onRunStart : ctx.project.runHooks?.onRunEnd;
  if (hooks === undefined || hooks.length === 0) return { events: [] };
  const warehouse = openWarehouseQuery(ctx.warehouse);
  const logs: RunEvent[] = [];
  const onLog = (message: string) => logs.push({ runId, level: "info", message });
  try {
    const rendered = renderRunHooks(
      ctx.project,
      kind,
      { target: ctx.target, vars: ctx.vars, isIncremental: false, warehouse, onLog },
      kind === "on-run-end"
        ? { schemas: schemasOf(ctx, assets), results: reports.map((report) => resultOf(ctx.project.name, report)) }
        : {},
    );
    warehouse.close();
    const client = await ctx.warehouse.connect();
    try {
      await runHooks(client, rendered, "the run");
    } finally {
      client.release();
    }
    const message = `${kind}: ${rendered.length} hook${rendered.length === 1 ? "" : "s"} ran`;
    return { events: [...logs, { runId, level: "info", message }] };
  } catch (error) {
    const failure = isAlmanacError(error)
      ? new AlmanacError(error.code, `${kind} failed: ${error.message}`, error.details, { cause: error })
      : new AlmanacError("ALMANAC_INTERNAL", `${kind} failed: ${String(error)}`, {}, { cause: error });
    const data = { code: failure.code, ...failure.details };
    return { events: [...logs, { runId, level: "error", message: failure.message, data }], error: failure };
  } finally {
    warehouse.close();
  }
}

/** dbt's `schemas` in on-run-end: where the run's models are written, each schema once. */
function schemasOf(ctx: EngineContext, assets: ReadonlySet<string>): string[] {
  const schemas = new Set<string>();
  for (const asset of assets) {
    const model = ctx.project.models.get(asset);
    if (model === undefined || model.config.materialized === "ephemeral") continue;
    schemas.add(relationOf(ctx.project, asset, ctx.target).schema);
  }
  return [...schemas];
}

const dbtStatus = { succeeded: "success", failed: "error", skipped: "skipped" } as const;

/** A step as dbt's on-run-end `results` has a node's result (the fields Almanac can fill). */
function resultOf(projectName: string, report: StepReport): Record<string, unknown> {
  return {
    status: dbtStatus[report.status],
    message: report.errorMessage ?? null,
    execution_time: report.durationMs / 1000,
    adapter_response: { rows_affected: report.rowsWritten },
    node: {
      name: report.assetKey,
      unique_id: `model.${projectName}.${report.assetKey}`,
      resource_type: "model",
      config: { materialized: report.materialized },
    },
  };
}
