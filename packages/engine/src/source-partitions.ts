/**
 * Which partitions definition a source table's events are reported in (pure): the one
 * almanac.yml's `sources:` gives it, else the one of the partitioned assets that read it, else
 * none (events then say the whole table changed).
 */
import { AlmanacError } from "@almanac/errors";
import type { PartitionsDefinition } from "@almanac/partitions";
import { type Project, partitionsOf, upstreamOf } from "@almanac/project";

/**
 * The source tables `asset` reads: its own `source()`s, and those of the views and ephemeral
 * models it reads (they hold no data of their own, so the source's rows flow straight through,
 * as `stg_trips` passes `raw.trips` to `daily_metrics`).
 */
export function sourcesReadBy(project: Project, asset: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const stack = [asset];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const model = project.models.get(name);
    if (!model) continue;
    for (const [source, table] of model.sources) found.add(`${source}.${table}`);
    for (const upstream of upstreamOf(project, name)) {
      const materialized = project.models.get(upstream)?.config.materialized;
      if (materialized === "view" || materialized === "ephemeral") stack.push(upstream);
    }
  }
  return [...found];
}

// Per project (they never change once loaded): status listings ask this for every asset.
const readersByProject = new WeakMap<Project, Map<string, string[]>>();

/** The partitioned models that read `source.table`, directly or through views. */
function readersOf(project: Project, sourceKey: string): string[] {
  let readers = readersByProject.get(project);
  if (readers === undefined) {
    readers = new Map();
    for (const name of project.models.keys()) {
      if (!partitionsOf(project, name)) continue;
      for (const source of sourcesReadBy(project, name)) readers.set(source, [...(readers.get(source) ?? []), name]);
    }
    readersByProject.set(project, readers);
  }
  return readers.get(sourceKey) ?? [];
}

/**
 * @throws AlmanacError ALMANAC_BAD_SELECTOR when partitioned readers have different definitions
 *   and almanac.yml names none for the source
 */
export function sourcePartitionsOf(project: Project, sourceKey: string): PartitionsDefinition | undefined {
  const listed = project.sourcePartitions.get(sourceKey);
  if (listed !== undefined) return project.partitions.get(listed);
  const byName = new Map<string, { def: PartitionsDefinition; readers: string[] }>();
  for (const reader of readersOf(project, sourceKey)) {
    const def = partitionsOf(project, reader);
    if (!def) continue;
    const entry = byName.get(def.name) ?? { def, readers: [] };
    entry.readers.push(reader);
    byName.set(def.name, entry);
  }
  if (byName.size > 1) {
    const listedDefs = [...byName].map(([name, { readers }]) => `"${name}" (${readers.join(", ")})`).join(" and ");
    throw new AlmanacError(
      "ALMANAC_BAD_SELECTOR",
      `source ${sourceKey} is read by assets of different partitions definitions, ${listedDefs}: ` +
        `say which one its events are in with almanac.yml sources: [{name: ${sourceKey}, partitions: …}]`,
      { source: sourceKey, definitions: [...byName.keys()] },
    );
  }
  return [...byName.values()][0]?.def;
}
