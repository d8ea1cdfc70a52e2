// Seeded randomness for the order generator: pure and reproducible, so the same seed gives the
// same orders on every machine and a re-generated day replaces itself byte for byte.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for synthetic data (not for crypto). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes the seed with a stream number (a day number, say) through murmur3's finalizer, so
 * each day gets an unrelated stream and a day generated alone equals the same day in a range.
 */
export function streamSeed(seed: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Picks `values[i]` with probability proportional to `weights[i]`. */
export function weightedPick<T>(values: readonly T[], weights: readonly number[]): (random: Random) => T {
  if (values.length !== weights.length || values.length === 0) throw new Error("values and weights must match");
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return (random) => {
    let target = random() * total;
    for (let i = 0; i < values.length; i++) {
      target -= weights[i] as number;
      if (target < 0) return values[i] as T;
    }
    return values[values.length - 1] as T;
  };
}
