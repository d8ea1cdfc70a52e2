import { median, round } from "./stats.js";

/** One side of a comparison: a name and a function that does the work once and returns its seconds. */
export interface Contender {
  readonly name: string;
  readonly run: (round: number) => Promise<number>;
}

export interface Alternation {
  /** Seconds of every round, per contender, in order. */
  readonly seconds: Record<string, number[]>;
  /** Median seconds per contender. */
  readonly medians: Record<string, number>;
}

/**
 * Runs the contenders in turn, round after round (A B C, A B C, …), so slow drift of a noisy
 * machine (other processes, cache state, autovacuum) falls on every side alike.
 */
export async function alternate(contenders: readonly Contender[], rounds: number): Promise<Alternation> {
  const seconds: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const contender of contenders) {
      const s = await contender.run(r);
      seconds[contender.name]?.push(s);
      console.log(`    round ${r} ${contender.name}: ${round(s, 3)} s`);
    }
  }
  const medians = Object.fromEntries(Object.entries(seconds).map(([name, values]) => [name, median(values)]));
  return { seconds, medians };
}

/**
 * Median of the per-round ratios a/b: each ratio compares runs made back to back, which is
 * steadier on a noisy machine than the ratio of the two medians.
 */
export function medianRatio(result: Alternation, a: string, b: string): number {
  const as = result.seconds[a] ?? [];
  const bs = result.seconds[b] ?? [];
  return median(as.map((value, i) => value / (bs[i] as number)));
}

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The ISO date `days` after `date` (UTC days, as the benchmarks' daily partitions). */
export function dayAfter(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
