import { AlmanacError } from "@almanac/errors";
import type nunjucks from "nunjucks";
import { isMapping, isMappingLike, Namespace, pyRepr, pyStr, pyTruthy, splitArguments } from "./python-values.js";

/**
 * Jinja's filters and tests where nunjucks lacks them or differs: `selectattr('x', 'equalto', 1)`
 * in nunjucks ignores the test and keeps every truthy `x`; `list` of a dict gives key/value
 * objects instead of keys; `map`, `unique`, `namespace` and `is sequence` do not exist.
 */

type Test = (value: unknown, ...args: unknown[]) => boolean;

interface EnvironmentInternals {
  addTest(name: string, test: Test): void;
  getTest(name: string): Test | undefined;
  getFilter(name: string): ((...args: unknown[]) => unknown) | undefined;
}

function items(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  if (isMapping(value)) return Object.keys(value);
  if (value !== null && typeof value === "object" && Symbol.iterator in value) return [...(value as Iterable<unknown>)];
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${filter} needs a list, got ${pyRepr(value)}`);
}

/** Jinja's map/select family: a false value (None, an empty string) is an empty sequence, as `if value:` in Jinja. */
function sequence(value: unknown, filter: string): unknown[] {
  return pyTruthy(value) ? items(value, filter) : [];
}

/** `attribute` may be dotted (`'config.materialized'`) or an index, as in Jinja's make_attrgetter. */
function attributeOf(value: unknown, attribute: unknown): unknown {
  let current = value;
  for (const part of String(attribute).split(".")) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function len(value: unknown): number {
  // Jinja's Undefined (a missing attribute, `column.fields` on a Postgres column) has length 0; None has none.
  if (value === undefined) return 0;
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value instanceof String) return value.length;
  if (isMapping(value)) return Object.keys(value).length;
  if (value instanceof Set) return value.size;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `length of ${pyRepr(value)} is not defined`);
}

/** Jinja's `tojson`: Python json.dumps with sorted keys, `", "`/`": "` and HTML-safe escapes. */
function toJson(value: unknown): string {
  const encode = (v: unknown): string => {
    if (v === undefined || v === null) return "null";
    if (Array.isArray(v)) return `[${v.map(encode).join(", ")}]`;
    if (isMapping(v) || v instanceof Namespace) {
      const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${encode(x)}`).join(", ")}}`;
    }
    if (v instanceof String) return JSON.stringify(String(v));
    return JSON.stringify(v) ?? "null";
  };
  return encode(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("'", "\\u0027");
}

function toInt(value: unknown, fallback: unknown = 0): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  const text = String(value).trim().replaceAll("_", "");
  if (/^[-+]?\d+$/.test(text)) return Number.parseInt(text, 10);
  const number = Number(text);
  return text !== "" && Number.isFinite(number) ? Math.trunc(number) : fallback;
}

function toFloat(value: unknown, fallback: unknown = 0): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  const number = Number(String(value).trim());
  return String(value).trim() !== "" && !Number.isNaN(number) ? number : fallback;
}

/** Installs the Jinja filters, tests and `namespace()` on `env`. */
export function installJinjaFilters(env: nunjucks.Environment): void {
  const internals = env as unknown as EnvironmentInternals;
  const test = (name: unknown): Test => {
    const found = internals.getTest(String(name));
    if (found === undefined) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `no test named "${String(name)}"`);
    return found;
  };
  // `select('equalto', 1)`: no test name means "truthy", as in Jinja.
  const passes = (value: unknown, args: unknown[]) =>
    args.length === 0 ? pyTruthy(value) : test(args[0])(value, ...args.slice(1));

  env.addFilter("select", (value: unknown, ...args: unknown[]) =>
    sequence(value, "select").filter((v) => passes(v, args)),
  );
  env.addFilter("reject", (value: unknown, ...args: unknown[]) =>
    sequence(value, "reject").filter((v) => !passes(v, args)),
  );
  env.addFilter("selectattr", (value: unknown, attribute: unknown, ...args: unknown[]) =>
    sequence(value, "selectattr").filter((v) => passes(attributeOf(v, attribute), args)),
  );
  env.addFilter("rejectattr", (value: unknown, attribute: unknown, ...args: unknown[]) =>
    sequence(value, "rejectattr").filter((v) => !passes(attributeOf(v, attribute), args)),
  );
  env.addFilter("map", (value: unknown, ...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const list = sequence(value, "map");
    if ("attribute" in keywords) {
      return list.map((v) => attributeOf(v, keywords.attribute) ?? keywords.default);
    }
    const [name, ...rest] = positional;
    const filter = internals.getFilter(String(name));
    if (name === undefined || filter === undefined) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `map needs attribute= or a filter name, got ${pyRepr(name)}`);
    }
    return list.map((v) => filter.call({ env }, v, ...rest));
  });
  env.addFilter("unique", (value: unknown, ...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const caseSensitive = pyTruthy(keywords.case_sensitive ?? positional[0] ?? false);
    const attribute = keywords.attribute ?? positional[1];
    const seen = new Set<unknown>();
    return items(value, "unique").filter((v) => {
      let key = attribute === undefined || attribute === null ? v : attributeOf(v, attribute);
      if (!caseSensitive && typeof key === "string") key = key.toLowerCase();
      // Tuples and dicts are equal by value in Python (`from_list | unique` of tuples).
      if (typeof key === "object" && key !== null) key = `\u0000${pyRepr(key)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
  env.addFilter("list", (value: unknown) => [...items(value, "list")]);
  env.addFilter("length", len);
  env.addFilter("count", len);
  env.addFilter("join", (value: unknown, separator: unknown = "", attribute?: unknown) =>
    items(value, "join")
      .map((v) => pyStr(attribute === undefined || attribute === null ? v : attributeOf(v, attribute)))
      .join(String(separator)),
  );
  env.addFilter("string", (value: unknown) => pyStr(value));
  env.addFilter("tojson", toJson);
  env.addFilter("int", toInt);
  env.addFilter("float", toFloat);

  // Tests with Python's meaning (`is sequence` holds for strings, lists and dicts, as len() does).
  // dbt context functions answer JavaScript undefined where dbt answers None (`config.get`).
  internals.addTest("none", (v) => v === null || v === undefined);
  internals.addTest("defined", (v) => v !== undefined);
  internals.addTest("undefined", (v) => v === undefined);
  internals.addTest("string", (v) => typeof v === "string" || v instanceof String);
  internals.addTest("number", (v) => typeof v === "number" || typeof v === "boolean");
  internals.addTest("integer", (v) => typeof v === "number" && Number.isInteger(v));
  internals.addTest("boolean", (v) => typeof v === "boolean");
  internals.addTest("mapping", (v) => isMappingLike(v));
  internals.addTest(
    "sequence",
    (v) => typeof v === "string" || v instanceof String || Array.isArray(v) || isMapping(v),
  );
  internals.addTest(
    "iterable",
    (v) => typeof v === "string" || v instanceof String || Array.isArray(v) || isMapping(v),
  );
  internals.addTest("true", (v) => v === true);
  internals.addTest("false", (v) => v === false);

  env.addGlobal("namespace", (...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const initial: Record<string, unknown> = {};
    for (const arg of positional) if (isMapping(arg)) Object.assign(initial, arg);
    return new Namespace({ ...initial, ...keywords });
  });
}
