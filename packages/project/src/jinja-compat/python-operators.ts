import { AlmanacError } from "@almanac/errors";
import { dateArithmetic, dateEquals, dateOrdering, PyDateTime } from "./datetime-module.js";
import { isMapping, PySet, pyRepr, pyStr } from "./python-values.js";

/**
 * Jinja's `%`: printf-style formatting when the left side is a string (`'%s_%s' % (a, b)`),
 * Python's modulo (sign of the divisor) for numbers. nunjucks compiles `%` to JavaScript's
 * operator, which turns `'%s' % x` into NaN in the SQL.
 */
export function pyModulo(left: unknown, right: unknown): unknown {
  if (typeof left === "string") return formatPercent(left, Array.isArray(right) ? right : [right]);
  if (typeof left === "number" && typeof right === "number") {
    if (right === 0) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "modulo by zero");
    return ((left % right) + right) % right;
  }
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `unsupported operands for %: ${pyRepr(left)} and ${pyRepr(right)}`);
}

const percentDirective = /%(?:\(([^)]+)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifrx%])/g;

function formatPercent(format: string, args: readonly unknown[]): string {
  let next = 0;
  let named = false;
  const out = format.replace(
    percentDirective,
    (_all, name: string | undefined, flags: string, width, precision, kind) => {
      if (kind === "%") return "%";
      let value: unknown;
      if (name !== undefined) {
        named = true;
        const mapping = args[0] as Record<string, unknown> | undefined;
        value = mapping?.[name];
      } else {
        if (next >= args.length)
          throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `not enough arguments for format string ${pyRepr(format)}`);
        value = args[next++];
      }
      let text: string;
      if (kind === "s") text = pyStr(value);
      else if (kind === "r") text = pyRepr(value);
      else {
        const number = Number(value);
        if (typeof value === "boolean" || Number.isNaN(number)) {
          throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `%${kind} format needs a number, got ${pyRepr(value)}`);
        }
        if (kind === "f") text = number.toFixed(precision === undefined ? 6 : Number(precision));
        else if (kind === "x") text = Math.trunc(number).toString(16);
        else text = String(Math.trunc(number));
      }
      const pad = width === undefined ? 0 : Number(width);
      if (text.length < pad)
        text = flags.includes("-") ? text.padEnd(pad) : text.padStart(pad, flags.includes("0") ? "0" : " ");
      return text;
    },
  );
  if (!named && next < args.length) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `not all arguments converted during formatting of ${pyRepr(format)}`,
    );
  }
  return out;
}

/** Python slicing `value[start:stop:step]` for strings and lists; missing bounds are null. */
export function pySlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (typeof value !== "string" && !Array.isArray(value)) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `cannot slice ${pyRepr(value)}: only strings and lists`);
  }
  const items = typeof value === "string" ? [...value] : value;
  const n = items.length;
  const by = step === null || step === undefined ? 1 : Number(step);
  if (!Number.isInteger(by) || by === 0)
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "slice step must be a non-zero integer");
  const bound = (raw: unknown, fallback: number, low: number, high: number) => {
    if (raw === null || raw === undefined) return fallback;
    const index = Number(raw);
    const resolved = index < 0 ? index + n : index;
    return Math.min(Math.max(resolved, low), high);
  };
  const picked: unknown[] = [];
  if (by > 0) {
    for (let i = bound(start, 0, 0, n), end = bound(stop, n, 0, n); i < end; i += by) picked.push(items[i]);
  } else {
    for (let i = bound(start, n - 1, -1, n - 1), end = bound(stop, -1, -1, n - 1); i > end; i += by)
      picked.push(items[i]);
  }
  return typeof value === "string" ? picked.join("") : picked;
}

/** Python's `+`: numbers add, strings and lists concatenate, anything else is an error. */
export function pyAdd(left: unknown, right: unknown): unknown {
  if (typeof left === "number" && typeof right === "number") return left + right;
  const dated = dateArithmetic(left, right, 1);
  if (dated !== undefined) return dated;
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  if (isText(left) && isText(right)) return String(left) + String(right);
  throw new AlmanacError(
    "ALMANAC_TEMPLATE_ERROR",
    `cannot add ${pyRepr(left)} and ${pyRepr(right)}: use ~ to join text, or | int / | string to convert`,
  );
}

// Macro output is a nunjucks SafeString (a String object), which adds to text like a string.
function isText(value: unknown): boolean {
  return typeof value === "string" || value instanceof String;
}

/** Python's `-`: numbers, and dates and timedeltas; anything else is an error rather than NaN. */
export function pySubtract(left: unknown, right: unknown): unknown {
  if (typeof left === "number" && typeof right === "number") return left - right;
  const dated = dateArithmetic(left, right, -1);
  if (dated !== undefined) return dated;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `cannot subtract ${pyRepr(right)} from ${pyRepr(left)}`);
}

/** Python `==`: by value for lists and dicts; `True == 1` as in Python; no type coercion. */
export function pyEquals(left: unknown, right: unknown): boolean {
  const a = left instanceof String ? String(left) : left;
  const b = right instanceof String ? String(right) : right;
  if (a === b) return true;
  if ((typeof a === "number" || typeof a === "boolean") && (typeof b === "number" || typeof b === "boolean")) {
    return Number(a) === Number(b);
  }
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  if (a instanceof PySet && b instanceof PySet) return a.size === b.size && [...a].every((item) => b.has(item));
  if (a instanceof PyDateTime && b instanceof PyDateTime) return dateEquals(a, b);
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && pyEquals(a[key], b[key]))
    );
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    // Relations and other objects that print themselves compare by what they print.
    return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && String(a) === String(b);
  }
  return false;
}

function ordered(left: unknown, right: unknown, operator: string): [number | string, number | string] {
  const a = left instanceof String ? String(left) : left;
  const b = right instanceof String ? String(right) : right;
  const numeric = (v: unknown) => typeof v === "number" || typeof v === "boolean";
  if (numeric(a) && numeric(b)) return [Number(a), Number(b)];
  if (typeof a === "string" && typeof b === "string") return [a, b];
  const dated = dateOrdering(a, b);
  if (dated !== undefined) return dated;
  throw new AlmanacError(
    "ALMANAC_TEMPLATE_ERROR",
    `'${operator}' is not supported between ${pyRepr(left)} and ${pyRepr(right)}: convert with | int or | string first`,
  );
}

function compareOnce(left: unknown, operator: string, right: unknown): boolean {
  switch (operator) {
    case "==":
    case "===":
      return pyEquals(left, right);
    case "!=":
    case "!==":
      return !pyEquals(left, right);
    default: {
      const [a, b] = ordered(left, right, operator);
      if (operator === "<") return a < b;
      if (operator === ">") return a > b;
      if (operator === "<=") return a <= b;
      return a >= b;
    }
  }
}

/** A Python comparison chain: `first op1 second op2 third …`, each pair compared in turn. */
export function pyCompare(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const right = rest[i + 1];
    if (!compareOnce(left, String(rest[i]), right)) return false;
    left = right;
  }
  return true;
}
