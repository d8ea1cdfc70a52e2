import { assetPartitionStatuses, type PartitionStatusEntry } from "@almanac/engine";
import { migrate, storeDb } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";
import { paint } from "../output.js";

export interface StatusFlags {
  readonly json?: boolean;
  readonly from?: string;
  readonly to?: string;
}

const statusColors = {
  materialized: "green",
  failed: "red",
  running: "blue",
  queued: "cyan",
  missing: "gray",
} as const;

/**
 * `almanac status <model> [--json]`: the model's partitions and their statuses. The text form
 * folds consecutive partitions of one status into ranges; `--json` lists every partition as
 * the REST API does.
 */
export async function statusCommand(env: AlmanacEnv, projectDir: string, model: string, flags: StatusFlags) {
  const session = await openSession(env, projectDir);
  try {
    await migrate(session.storeUrl);
    const { project, target } = session.ctx;
    const partitions = await assetPartitionStatuses(storeDb(session.ctx.store), project, target, model, {
      from: flags.from,
      to: flags.to,
      now: new Date(),
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ asset: model, partitions }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${summaryLine(model, partitions)}\n`);
    const runs = foldRuns(partitions);
    const labelOf = (run: StatusRun) =>
      `${run.status}${run.stale ? " (stale)" : ""}${run.checks ? `, checks ${run.checks}` : ""}`;
    // Checks make labels longer than the usual 20 columns; the counts stay aligned.
    const width = Math.max(20, ...runs.map((run) => labelOf(run).length));
    for (const run of runs) {
      const range = run.first === run.last ? run.first : `${run.first}..${run.last}`;
      const error = run.errorMessage ? `  ${run.errorMessage}` : "";
      process.stdout.write(
        `  ${(range || "(not partitioned)").padEnd(24)} ${paint(statusColors[run.status], labelOf(run).padEnd(width))} ${String(run.count).padStart(5)}${error}\n`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}

function summaryLine(model: string, partitions: readonly PartitionStatusEntry[]): string {
  const counts = new Map<string, number>();
  for (const p of partitions) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  const stale = partitions.filter((p) => p.stale).length;
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  if (stale > 0) parts.push(`${stale} stale`);
  const failedChecks = partitions.filter((p) => p.checks === "failed").length;
  if (failedChecks > 0) parts.push(`${failedChecks} with failed checks`);
  return `${model}: ${partitions.length} partitions: ${parts.join(", ") || "none yet"}`;
}

interface StatusRun {
  first: string;
  last: string;
  status: PartitionStatusEntry["status"];
  stale: boolean;
  count: number;
  errorMessage: string | null;
  checks: PartitionStatusEntry["checks"];
}

/** Consecutive partitions with the same status, staleness and error, as one range each. */
function foldRuns(partitions: readonly PartitionStatusEntry[]): StatusRun[] {
  const runs: StatusRun[] = [];
  for (const p of partitions) {
    const last = runs[runs.length - 1];
    if (
      last &&
      last.status === p.status &&
      last.stale === p.stale &&
      last.errorMessage === p.errorMessage &&
      last.checks === p.checks
    ) {
      last.last = p.key;
      last.count++;
    } else {
      runs.push({
        first: p.key,
        last: p.key,
        status: p.status,
        stale: p.stale,
        count: 1,
        errorMessage: p.errorMessage,
        checks: p.checks,
      });
    }
  }
  return runs;
}
