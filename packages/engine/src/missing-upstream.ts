/**
 * Upstream partitions a run reads but does not build, and which were never materialized: the
 * run goes on (Dagster and dbt do too: the model reads what is there), with a warning per step
 * naming what it lacks, so a rolling week built over three stored days says so.
 */
import { type Project, partitionsOf } from "@almanac/project";
import { type AssetPartitionKey, listUnmaterializedPartitions, type StoreDb } from "@almanac/store";
import { partitionedParents, stretchesOf, upstreamKeys } from "./mapped-keys.js";
import { type RunEvent, stepLabel } from "./run-events.js";

export interface RunStepKeys {
  readonly idx: number;
  readonly assetKey: string;
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
  /** The step's keys (`[""]` or empty for a non-partitioned model). */
  readonly keys: readonly string[];
}

interface OutsideRead {
  readonly step: RunStepKeys;
  readonly asset: string;
  readonly keys: readonly string[];
}

/** Per step, the partitions of its partitioned parents that no step of the run builds (pure). */
export function outsideReads(project: Project, steps: readonly RunStepKeys[]): OutsideRead[] {
  const built = new Map<string, Set<string>>();
  for (const step of steps) {
    const keys = built.get(step.assetKey) ?? new Set<string>();
    for (const key of step.keys) keys.add(key);
    built.set(step.assetKey, keys);
  }
  const reads: OutsideRead[] = [];
  for (const step of steps) {
    if (!partitionsOf(project, step.assetKey) || step.keys.length === 0) continue;
    for (const parent of partitionedParents(project, step.assetKey)) {
      const inRun = built.get(parent.asset);
      const keys = upstreamKeys(project, step.assetKey, step.keys, parent.asset).filter((key) => !inRun?.has(key));
      if (keys.length > 0) reads.push({ step, asset: parent.asset, keys });
    }
  }
  return reads;
}

/** One warning per step that reads never-materialized partitions outside the run. */
export async function missingUpstreamEvents(
  db: StoreDb,
  project: Project,
  runId: string,
  steps: readonly RunStepKeys[],
): Promise<RunEvent[]> {
  const reads = outsideReads(project, steps);
  if (reads.length === 0) return [];
  const wanted: AssetPartitionKey[] = reads.flatMap((read) =>
    read.keys.map((partitionKey) => ({ assetKey: read.asset, partitionKey })),
  );
  const missing = new Set(
    (await listUnmaterializedPartitions(db, wanted)).map((m) => `${m.assetKey}\u0000${m.partitionKey}`),
  );
  if (missing.size === 0) return [];
  const byStep = new Map<RunStepKeys, { asset: string; keys: string[] }[]>();
  for (const read of reads) {
    const keys = read.keys.filter((key) => missing.has(`${read.asset}\u0000${key}`));
    if (keys.length > 0) byStep.set(read.step, [...(byStep.get(read.step) ?? []), { asset: read.asset, keys }]);
  }
  return [...byStep].map(([step, lacks]) => ({
    runId,
    stepIdx: step.idx,
    level: "warn",
    message: `${stepLabel(step)}: upstream partitions never materialized, reading what is there: ${lacks
      .map((lack) => describeKeys(project, lack.asset, lack.keys))
      .join(", ")}`,
    data: { missingUpstream: Object.fromEntries(lacks.map((lack) => [lack.asset, lack.keys])) },
  }));
}

/** `events_daily [2024-03-05..2024-03-06, 2024-03-09]`. */
function describeKeys(project: Project, asset: string, keys: readonly string[]): string {
  const def = partitionsOf(project, asset);
  const ranges = def ? stretchesOf(def, keys) : keys.map((key) => ({ from: key, to: key }));
  return `${asset} [${ranges.map((r) => (r.from === r.to ? r.from : `${r.from}..${r.to}`)).join(", ")}]`;
}
