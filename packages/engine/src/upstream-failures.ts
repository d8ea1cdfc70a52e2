import { type Project, parentsOf, partitionsOf } from "@almanac/project";
import { upstreamKeys } from "./mapped-keys.js";

/** Which (asset, partition) pairs failed or were skipped so far in a run. */
export class FailedPartitions {
  readonly #byAsset = new Map<string, Set<string>>();

  /** No keys: a step without partitions (a seed's) failed, so all of the asset did. */
  add(assetKey: string, keys: readonly string[]): void {
    const set = this.#byAsset.get(assetKey) ?? new Set<string>();
    for (const key of keys.length === 0 ? [""] : keys) set.add(key);
    this.#byAsset.set(assetKey, set);
  }

  /** The first failed key of `assetKey` among `keys`; any key when the asset is not partitioned. */
  failedKey(assetKey: string, keys: readonly string[]): string | undefined {
    const set = this.#byAsset.get(assetKey);
    if (!set) return undefined;
    if (set.has("")) return "";
    // A non-partitioned model reads every partition of its upstream: any failure blocks it.
    if (keys.length === 1 && keys[0] === "") return set.values().next().value;
    return keys.find((key) => set.has(key));
  }

  isEmpty(): boolean {
    return this.#byAsset.size === 0;
  }
}

/**
 * `asset [key]` of the first upstream model in this run that failed for a partition `keys`
 * read (through the partition mappings; any partition when the asset or the upstream is not
 * partitioned), or of the asset itself for an earlier partition it reads (a running total);
 * undefined when nothing it reads failed. Walks through models outside the run (ephemeral ones,
 * say) to the run's models they read.
 */
export function upstreamFailure(
  project: Project,
  assetKey: string,
  keys: readonly string[],
  runAssets: ReadonlySet<string>,
  failed: FailedPartitions,
): string | undefined {
  const readKeys = (upstream: string) =>
    keys.length === 1 && keys[0] === "" ? keys : upstreamKeys(project, assetKey, keys, upstream);
  const label = (upstream: string, key: string) => (key === "" ? upstream : `${upstream} [${key}]`);
  if (project.partitionMappings.get(assetKey)?.has(assetKey)) {
    const key = failed.failedKey(assetKey, readKeys(assetKey));
    if (key !== undefined) return label(assetKey, key);
  }
  const seen = new Set<string>();
  // Seeds are parents too: a seed that failed to load in this run blocks the models reading it.
  const stack = [...parentsOf(project, assetKey)];
  while (stack.length > 0) {
    const upstream = stack.pop() as string;
    if (seen.has(upstream)) continue;
    seen.add(upstream);
    if (runAssets.has(upstream)) {
      const partitioned = project.models.has(upstream) && partitionsOf(project, upstream) !== undefined;
      const key = failed.failedKey(upstream, partitioned ? readKeys(upstream) : keys);
      if (key !== undefined) return label(upstream, key);
    }
    stack.push(...parentsOf(project, upstream));
  }
  return undefined;
}
