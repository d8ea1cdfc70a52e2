/** What every benchmark returns: named figures, each with its target when it has one. */
export interface BenchMetric {
  readonly name: string;
  readonly value: number;
  /** `<= 1.5`, `>= 1000`: the target for this figure. */
  readonly target?: string;
}

export interface BenchResult {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly BenchMetric[];
  /** Raw timings, for the JSON. */
  readonly raw: unknown;
}

/** True/false when the metric has a target, undefined otherwise. */
export function meetsTarget(metric: BenchMetric): boolean | undefined {
  if (!metric.target) return undefined;
  const match = /^(<=|>=)\s*([\d.]+)$/.exec(metric.target);
  if (!match) throw new Error(`bad target ${metric.target}`);
  const bound = Number(match[2]);
  return match[1] === "<=" ? metric.value <= bound : metric.value >= bound;
}
