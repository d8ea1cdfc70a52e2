import { type Project, upstreamOf } from "@almanac/project";

/** Which (asset, partition) pairs failed or were skipped so far in a run. */
export class FailedPartitions {
  readonly #byAsset = new Map<string, Set<string>>();

  add(assetKey: string, keys: readonly string[]): void {
    const set = this.#byAsset.get(assetKey) ?? new Set<string>();
    for (const key of keys) set.add(key);
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
 * `asset [key]` of the first upstream model in this run that failed for one of `keys` (or
 * failed outright, when it is not partitioned); undefined when nothing upstream failed.
 * Walks through models outside the run (ephemeral ones, say) to the run's models they read.
 */
export function upstreamFailure(
  project: Project,
  assetKey: string,
  keys: readonly string[],
  runAssets: ReadonlySet<string>,
  failed: FailedPartitions,
): string | undefined {
  const seen = new Set<string>();
  const stack = [...upstreamOf(project, assetKey)];
  while (stack.length > 0) {
    const upstream = stack.pop() as string;
    if (seen.has(upstream)) continue;
    seen.add(upstream);
    if (runAssets.has(upstream)) {
      const key = failed.failedKey(upstream, keys);
      if (key !== undefined) return key === "" ? upstream : `${upstream} [${key}]`;
    }
    stack.push(...upstreamOf(project, upstream));
  }
  return undefined;
}
