import { AlmanacError } from "@almanac/errors";
import type nunjucks from "nunjucks";
import { isMapping, PySet, pyRepr, splitArguments } from "./python-values.js";

/**
 * The Python builtins dbt puts in the Jinja context that packages call: `set(…)`, `zip(…)`,
 * `dict(…)`. (`range` is nunjucks' own, with Python's arguments.)
 */

function iterable(value: unknown, fn: string): Iterable<unknown> {
  if (typeof value === "string") return [...value];
  if (value instanceof String) return [...String(value)];
  if (Array.isArray(value) || value instanceof Set) return value;
  if (isMapping(value)) return Object.keys(value);
  if (typeof value === "object" && value !== null && Symbol.iterator in value) return value as Iterable<unknown>;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${fn}() needs something to iterate over, got ${pyRepr(value)}`);
}

export function installPythonGlobals(env: nunjucks.Environment): void {
  env.addGlobal("set", (...args: unknown[]) => {
    const { positional } = splitArguments(args);
    return new PySet(positional.length === 0 ? [] : iterable(positional[0], "set"));
  });
  env.addGlobal("zip", (...args: unknown[]) => {
    const lists = splitArguments(args).positional.map((value) => [...iterable(value, "zip")]);
    const length = lists.length === 0 ? 0 : Math.min(...lists.map((list) => list.length));
    return Array.from({ length }, (_, i) => lists.map((list) => list[i]));
  });
  // `dict(a=1)`, `dict(other)`, `dict([('k', v), …])`, `dict(other, k=v)`.
  env.addGlobal("dict", (...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const result: Record<string, unknown> = {};
    const [source] = positional;
    if (isMapping(source)) Object.assign(result, source);
    else if (source !== undefined) {
      for (const pair of iterable(source, "dict")) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `dict() needs (key, value) pairs, got ${pyRepr(pair)}`);
        }
        result[String(pair[0])] = pair[1];
      }
    }
    return Object.assign(result, keywords);
  });
}
