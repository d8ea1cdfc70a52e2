/**
 * How Jinja (that is, Python) prints and classifies values, so `{{ }}` output matches what
 * dbt renders. nunjucks prints with JavaScript's `String()`: `true`, `1,2`, `[object Object]`.
 */

/** Jinja's `namespace(...)`: the one object whose attributes `{% set ns.x = … %}` may assign. */
export class Namespace {
  constructor(attributes: Readonly<Record<string, unknown>>) {
    Object.assign(this, attributes);
  }
}

/**
 * Python's `set(…)`: unordered, so two sets with the same members are equal (dbt_utils'
 * equality test compares column sets). Members are strings and numbers in practice.
 */
export class PySet extends Set<unknown> {
  override toString(): string {
    return this.size === 0 ? "set()" : `{${[...this].map((item) => pyRepr(item)).join(", ")}}`;
  }

  override add(value: unknown): this {
    return super.add(value instanceof String ? String(value) : value);
  }

  union(...others: Iterable<unknown>[]): PySet {
    return new PySet([...this, ...others.flatMap((other) => [...other])]);
  }

  intersection(other: Iterable<unknown>): PySet {
    const members = new Set(other);
    return new PySet([...this].filter((item) => members.has(item)));
  }

  difference(other: Iterable<unknown>): PySet {
    const members = new Set(other);
    return new PySet([...this].filter((item) => !members.has(item)));
  }

  issubset(other: Iterable<unknown>): boolean {
    const members = new Set(other);
    return [...this].every((item) => members.has(item));
  }

  issuperset(other: Iterable<unknown>): boolean {
    return [...other].every((item) => this.has(item));
  }

  update(...others: Iterable<unknown>[]): string {
    for (const other of others) for (const item of other) this.add(item);
    return "";
  }
}

/** A Python dict as nunjucks sees it: a plain object literal (not a relation, not a namespace). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Marks objects that Jinja's `is mapping` accepts besides dicts: Python objects that implement
 * Mapping, as dbt's Relation does. They answer `.get()` themselves.
 */
export const pythonMapping = Symbol("python mapping");

/** Jinja's `is mapping`: a dict, or an object marked {@link pythonMapping}. */
export function isMappingLike(value: unknown): boolean {
  return isMapping(value) || (typeof value === "object" && value !== null && pythonMapping in value);
}

// nunjucks marks keyword arguments as a trailing object with `__keywords: true`.
export function isKeywords(value: unknown): value is Record<string, unknown> {
  return isMapping(value) && value.__keywords === true;
}

/** Positional arguments and keywords of a call made from a template. */
export function splitArguments(args: readonly unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (isKeywords(last)) {
    const { __keywords: _, ...keywords } = last;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: [...args], keywords: {} };
}

/** Python `repr()` of a template value (strings single-quoted, lists and dicts recursively). */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  return pyStr(value, pyRepr);
}

/** Python `str()`: what `{{ value }}` prints in Jinja. */
export function pyStr(value: unknown, inner: (item: unknown) => string = pyRepr): string {
  if (value === true) return "True";
  if (value === false) return "False";
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(inner).join(", ")}]`;
  if (isMapping(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Python truthiness: empty strings, lists and dicts, 0, None and False are false. */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof PySet) return value.size > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value) && !(value instanceof String && value.length === 0);
}
