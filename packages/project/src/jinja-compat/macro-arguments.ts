import { createRequire } from "node:module";
import { AlmanacError } from "@almanac/errors";
import { isMapping } from "./python-values.js";

/**
 * Jinja's `varargs` and `kwargs` inside a macro, and `*xs` / `**kw` at call sites. nunjucks
 * drops the positional arguments a macro does not declare and has no `varargs`; Jinja hands them
 * to the macro as `varargs`, and the undeclared keyword arguments as `kwargs` (dbt_utils'
 * `surrogate_key(*varargs)`, generic tests forwarding `**kwargs`).
 */

const require = createRequire(import.meta.url);
const nunjucks = require("nunjucks/src/runtime") as {
  makeMacro(argNames: string[], kwargNames: string[], func: (...args: unknown[]) => unknown): MacroFn;
  contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown;
};
type MacroFn = (...args: unknown[]) => unknown;

interface MacroExtras {
  readonly varargs: unknown[];
  readonly kwargs: Record<string, unknown>;
}

// Macros run synchronously, so the innermost running macro's extras are the top of this stack.
const running: MacroExtras[] = [];

/** nunjucks' makeMacro, recording the arguments the macro does not declare while it runs. */
export function makeMacro(argNames: string[], kwargNames: string[], func: MacroFn): MacroFn {
  const macro = nunjucks.makeMacro(argNames, kwargNames, func);
  const declared = new Set([...argNames, ...kwargNames, "caller", "__keywords"]);
  return function (this: unknown, ...args: unknown[]) {
    const last = args[args.length - 1];
    // nunjucks passes keyword arguments as a last object marked `__keywords`.
    const keywords = isMapping(last) && Object.hasOwn(last, "__keywords") ? last : {};
    const positional = keywords === last ? args.slice(0, -1) : args;
    const kwargs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(keywords)) if (!declared.has(name)) kwargs[name] = value;
    running.push({ varargs: positional.slice(argNames.length + kwargNames.length), kwargs });
    try {
      return macro.apply(this, args);
    } finally {
      running.pop();
    }
  };
}

/** Name lookup that answers `varargs` and `kwargs` inside a macro when nothing else defines them. */
export function contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown {
  const value = nunjucks.contextOrFrameLookup(context, frame, name);
  if (value !== undefined || (name !== "varargs" && name !== "kwargs")) return value;
  const extras = running[running.length - 1];
  if (extras === undefined) return value;
  return name === "varargs" ? extras.varargs : extras.kwargs;
}

/** `*xs`: a list, tuple or string spread into positional arguments. */
export function starArgs(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "*args at a call needs a list");
}

/** `**kw`: a dict spread into keyword arguments. */
export function starKwargs(value: unknown): Record<string, unknown> {
  if (isMapping(value)) return value;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "**kwargs at a call needs a dict");
}

/**
 * A computed dict key: strings and numbers as their text (dicts here have string keys), and
 * objects that print as themselves (a relation, `{relation: []}` in dbt_utils' unpivot).
 */
export function dictKey(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && value.toString !== Object.prototype.toString) return String(value);
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `a dict key must be a string or a number, got ${typeof value}`);
}
