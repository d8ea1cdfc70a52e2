import { type Project, partitionsOf } from "@almanac/project";
import { listPartitionStatuses, type StoreDb } from "@almanac/store";
import type { ResolvedRequest } from "./run-request.js";

/** Which partitions of the range a backfill targets, by their status when it is requested. */
export type BackfillOnly = "missing" | "failed" | "missing_or_failed";

export const backfillOnlyValues: readonly BackfillOnly[] = ["missing", "failed", "missing_or_failed"];

/**
 * The keys of the range selected by `only`, in order. A key is selected when ANY partitioned
 * model of the selection has that partition in a matching state: `missing` (never written, no
 * row), `failed`, or either. Queued, running and materialized partitions match neither. The
 * backfill then runs every selected model for that key: a day whose daily_metrics is
 * materialized but whose daily_zone_metrics is missing is redone for both, as one run over the
 * selection would. One range query per partitioned model.
 */
export async function keysByStatus(
  db: StoreDb,
  project: Project,
  request: ResolvedRequest,
  only: BackfillOnly,
): Promise<string[]> {
  const from = request.keys[0];
  const to = request.keys.at(-1);
  if (from === undefined || to === undefined) return [];
  const wanted = new Set<string>();
  for (const model of request.models) {
    if (!partitionsOf(project, model)) continue;
    const rows = await listPartitionStatuses(db, { assetKey: model, from, to });
    const status = new Map(rows.map((row) => [row.partitionKey, row.status]));
    for (const key of request.keys) {
      const current = status.get(key);
      const matches = (current === undefined && only !== "failed") || (current === "failed" && only !== "missing");
      if (matches) wanted.add(key);
    }
  }
  return request.keys.filter((key) => wanted.has(key));
}
