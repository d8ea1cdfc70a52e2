import { AlmanacError } from "@almanac/errors";
import { isMapping, pyRepr, splitArguments } from "./python-values.js";

/**
 * The part of Python's `itertools` that dbt packages reach through `modules.itertools`:
 * `product`, `chain`, `chain.from_iterable`, `combinations`. Python returns lazy iterators of
 * tuples; here they are lists of lists, as tuples are lists in this layer (`zip` does the same),
 * so a template that loops over them or takes `| list` sees what Jinja sees.
 */

function items(value: unknown, fn: string): unknown[] {
  if (typeof value === "string" || value instanceof String) return [...String(value)];
  if (Array.isArray(value) || value instanceof Set) return [...value];
  if (isMapping(value)) return Object.keys(value);
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `itertools.${fn}() needs iterables, got ${pyRepr(value)}`);
}

function product(...args: unknown[]): unknown[][] {
  const { positional, keywords } = splitArguments(args);
  const repeat = Number(keywords.repeat ?? 1);
  if (!Number.isInteger(repeat) || repeat < 0) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "itertools.product(): repeat must be a whole number");
  }
  const pools = Array.from({ length: repeat }, () => positional.map((value) => items(value, "product"))).flat();
  return pools.reduce<unknown[][]>(
    (combos, pool) => combos.flatMap((combo) => pool.map((item) => [...combo, item])),
    [[]],
  );
}

function combinations(iterable: unknown, size: unknown): unknown[][] {
  const pool = items(iterable, "combinations");
  const r = Number(size);
  const pick = (start: number, left: number): unknown[][] =>
    left === 0
      ? [[]]
      : pool.slice(start).flatMap((item, i) => pick(start + i + 1, left - 1).map((rest) => [item, ...rest]));
  return Number.isInteger(r) && r >= 0 && r <= pool.length ? pick(0, r) : [];
}

const chain = Object.assign(
  (...args: unknown[]) => splitArguments(args).positional.flatMap((value) => items(value, "chain")),
  { from_iterable: (value: unknown) => items(value, "chain.from_iterable").flatMap((inner) => items(inner, "chain")) },
);

/** What `modules.itertools` answers. */
export const itertoolsModule = Object.freeze({ product, chain, combinations });
