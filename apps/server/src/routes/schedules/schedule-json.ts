import type { ScheduleSummary } from "@almanac/engine";
import type { ScheduleTickRow } from "@almanac/store";

/** Store rows and summaries as the API shows them: dates as ISO strings. */

export function tickJson(tick: ScheduleTickRow) {
  return {
    id: tick.id,
    tickTime: tick.tickTime.toISOString(),
    partitionKey: tick.partitionKey,
    status: tick.status,
    runId: tick.runId,
    message: tick.message,
    createdAt: tick.createdAt.toISOString(),
    finishedAt: tick.finishedAt?.toISOString() ?? null,
  };
}

export function scheduleJson(summary: ScheduleSummary) {
  return { ...summary, nextTick: summary.nextTick.toISOString(), lastTicks: summary.lastTicks.map(tickJson) };
}
