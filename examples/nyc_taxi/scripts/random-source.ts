// Seeded randomness for the trip generator. Everything here is pure and reproducible: the
// same seed gives the same sequence on every machine and Node version, which is what lets a
// re-generated day replace itself byte for byte.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG, fast and good enough for synthetic data (not for crypto).
 * @param seed - any 32-bit integer
 */
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
 * Mixes the user's seed with a day number so every day has its own stream: generating one day
 * alone gives the same rows as generating it inside a longer range.
 */
export function daySeed(seed: number, dayNumber: number): number {
  // murmur3's finalizer: neighbouring days get unrelated seeds.
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(dayNumber + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A standard normal draw (Box–Muller); always consumes exactly two uniforms. */
export function normal(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw with the given median and shape (sigma of the underlying normal). */
export function logNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

/**
 * Returns a function that maps a uniform draw to an index, with probability proportional to
 * `weights[index]`. Binary search over the cumulative sums keeps 263-zone lookups cheap.
 */
export function weightedIndex(weights: readonly number[]): (random: Random) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) {
    if (!(weight >= 0)) throw new Error(`weights must be >= 0, got ${weight}`);
    total += weight;
    cumulative.push(total);
  }
  if (total <= 0) throw new Error("at least one weight must be positive");
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  };
}
