import { materializeSelection, type StepReport, stepLabel } from "@almanac/engine";
import { migrate, requestRunCancel, storeDb } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";
import { exitCodes, paint } from "../output.js";

export interface MaterializeFlags {
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
  /** The definition the keys belong to, when the selection ends in assets of several. */
  readonly partitions?: string;
  /** dbt's spelling of a time range (end exclusive, UTC unless an offset is given). */
  readonly eventTimeStart?: string;
  readonly eventTimeEnd?: string;
  readonly policy?: "single_run" | "multi_run";
  readonly maxPartitionsPerRun?: number;
}

/**
 * `almanac materialize <selection> [--partition KEY | --from A --to B | --event-time-start T
 * --event-time-end T]`: run in this process,
 * no Redis needed. One line per step on stderr; the summary on stdout. Exits 0 only if every
 * step succeeded.
 */
export async function materializeCommand(
  env: AlmanacEnv,
  projectDir: string,
  selection: string,
  flags: MaterializeFlags,
): Promise<number> {
  const session = await openSession(env, projectDir);
  let runId: string | undefined;
  let interrupted = false;
  // First Ctrl-C: finish the current step, then stop (the rest goes back to how it was).
  // Second: stop now; the open transaction rolls back with the connection.
  const onInterrupt = () => {
    if (interrupted || !runId) process.exit(exitCodes.canceled);
    interrupted = true;
    process.stderr.write("stopping after the current step (Ctrl-C again to stop now)\n");
    void requestRunCancel(storeDb(session.ctx.store), runId);
  };
  process.on("SIGINT", onInterrupt);
  try {
    await migrate(session.storeUrl);
    const started = performance.now();
    const result = await materializeSelection(
      session.ctx,
      {
        select: selection,
        partition: flags.partition,
        from: flags.from,
        to: flags.to,
        partitions: flags.partitions,
        eventTimeStart: flags.eventTimeStart,
        eventTimeEnd: flags.eventTimeEnd,
      },
      {
        now: new Date(),
        policy: flags.policy && { type: flags.policy, maxPartitionsPerRun: flags.maxPartitionsPerRun },
        onPlanned: (plan) => {
          runId = plan.runId;
          process.stderr.write(`run ${plan.runId}: ${plan.steps.length} steps\n`);
        },
        onStep: (report) => {
          process.stderr.write(`${progressLine(report)}\n`);
        },
      },
    );
    const failed = result.steps.filter((s) => s.status !== "succeeded").length;
    const rows = result.steps.reduce((sum, s) => sum + s.rowsWritten, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `run ${result.runId} ${result.status}: ${result.steps.length - failed}/${result.steps.length} steps succeeded, ` +
        `${count(rows, "row")} written in ${seconds} s\n`,
    );
    if (result.status === "canceled") return exitCodes.canceled;
    return result.status === "succeeded" ? exitCodes.ok : exitCodes.runFailed;
  } finally {
    process.off("SIGINT", onInterrupt);
    await session.close();
  }
}

function progressLine(report: StepReport): string {
  // The step's `log(…, info=True)` lines come before its outcome, as dbt prints them while rendering.
  return [...report.logs, outcomeLine(report)].join("\n");
}

function outcomeLine(report: StepReport): string {
  const counter = paint("dim", `[${report.idx + 1}/${report.total}]`);
  const label = stepLabel(report);
  if (report.status === "succeeded") {
    const warnings = report.warnings.map((w) => `\n  ${paint("yellow", "warning")}: ${w}`).join("");
    const rows = report.unchanged
      ? "unchanged, not rebuilt"
      : report.materialized === "view"
        ? "view built"
        : report.materialized === "seed"
          ? `seed loaded, ${count(report.rowsWritten, "row")}`
          : `${count(report.rowsWritten, "row")} written, ${report.rowsDeleted} removed`;
    return `${counter} ${paint("green", "ok")} ${label}: ${rows} (${report.durationMs} ms)${warnings}`;
  }
  const status = report.status === "skipped" ? paint("yellow", "skipped") : paint("red", "failed");
  return `${counter} ${status} ${report.errorMessage ?? label} [${report.errorCode}]`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
