import { inSpan, inSpanSync, markSpanFailed, type Span } from "@almanac/tracing";
import type { StepReport } from "./engine-context.js";
import type { StepResult, StepToRun } from "./execute-step.js";

/**
 * The engine's trace spans, kept apart from the flow they describe so that execute-run.ts and
 * the request functions only gain one wrapper call each. Attribute names are `almanac.*`;
 * partitions are given as the first and last key and a count, never as a list (a backfill run
 * can hold thousands).
 */

/** Planning a request (resolve the selection, cut it into steps or runs). */
export function inPlanSpan<T>(
  what: { select: string; partition?: string; from?: string; to?: string },
  plan: () => T,
): T {
  const from = what.from ?? what.partition;
  const to = what.to ?? what.partition;
  const attributes = {
    "almanac.select": what.select,
    ...(from === undefined ? {} : { "almanac.partition.from": from }),
    ...(to === undefined ? {} : { "almanac.partition.to": to }),
  };
  return inSpanSync("almanac.plan", { attributes }, plan);
}

/** One run, from its start to its final status. */
export function inRunSpan<T extends { status: string; steps: readonly StepReport[] }>(
  runId: string,
  execute: () => Promise<T>,
): Promise<T> {
  return inSpan("almanac.run", { attributes: { "almanac.run.id": runId } }, async (span) => {
    const result = await execute();
    if (span.isRecording()) describeRun(span, result);
    return result;
  });
}

function describeRun(span: Span, result: { status: string; steps: readonly StepReport[] }): void {
  const keys = result.steps.flatMap((s) => [s.partitionFrom, s.partitionTo]).filter((k) => k !== undefined);
  keys.sort();
  span.setAttributes({
    "almanac.run.status": result.status,
    "almanac.assets": [...new Set(result.steps.map((s) => s.assetKey))],
    "almanac.steps": result.steps.length,
    "almanac.rows_written": result.steps.reduce((n, s) => n + s.rowsWritten, 0),
    ...(keys.length > 0 ? { "almanac.partition.from": keys[0], "almanac.partition.to": keys.at(-1) } : {}),
  });
  if (result.status === "failed") markSpanFailed(span, "a step failed");
}

/** One step: a model over a chunk of partitions; its SQL statements are its children. */
export function inStepSpan<T extends StepResult | "canceled">(
  step: StepToRun,
  keys: readonly string[],
  execute: () => Promise<T>,
): Promise<T> {
  const partitioned = step.partitionFrom !== null && step.partitionFrom !== undefined;
  const attributes = {
    "almanac.run.id": step.runId,
    "almanac.step.index": step.idx,
    "almanac.asset": step.assetKey,
    ...(partitioned
      ? {
          "almanac.partition.from": step.partitionFrom ?? "",
          "almanac.partition.to": step.partitionTo ?? "",
          "almanac.partitions": keys.length,
        }
      : {}),
  };
  return inSpan(`almanac.step ${step.assetKey}`, { attributes }, async (span) => {
    const result = await execute();
    if (result === "canceled") {
      span.setAttribute("almanac.step.status", "canceled");
      return result;
    }
    span.setAttributes({
      "almanac.step.status": result.status,
      "almanac.rows_written": result.rowsWritten,
      "almanac.rows_deleted": result.rowsDeleted,
    });
    if (result.status !== "succeeded") markSpanFailed(span, result.error?.message ?? result.status);
    return result;
  });
}
