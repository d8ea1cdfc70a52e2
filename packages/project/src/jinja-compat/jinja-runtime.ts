import { createRequire } from "node:module";
import { AlmanacError } from "@almanac/errors";
import { contextOrFrameLookup, dictKey, makeMacro, starArgs, starKwargs } from "./macro-arguments.js";
import { returnBoundary } from "./macro-return.js";
import { isJavaScriptOnlyMember, pythonMethod } from "./python-methods.js";
import { pyAdd, pyCompare, pyModulo, pySlice, pySubtract } from "./python-operators.js";
import { Namespace, pyRepr, pyStr, pyTruthy } from "./python-values.js";

const require = createRequire(import.meta.url);

/** The parts of nunjucks' runtime module that compiled templates call and we replace. */
export interface NunjucksRuntime {
  Frame: new (parent?: unknown, isolateWrites?: boolean) => FrameLike;
  SafeString: new (value: string) => unknown;
  memberLookup(obj: unknown, name: unknown): unknown;
  suppressValue(value: unknown, autoescape: boolean): unknown;
  [helper: string]: unknown;
}

interface FrameLike {
  variables: Record<string, unknown>;
  push(isolateWrites?: boolean): FrameLike;
  set(name: string, value: unknown, resolveUp?: boolean): void;
}

const nunjucksRuntime = require("nunjucks/src/runtime") as NunjucksRuntime;
const BaseFrame = nunjucksRuntime.Frame;

/**
 * A frame with Jinja's scoping. Jinja gives every `for` body its own scope, so
 * `{% set total = x %}` inside a loop leaves the outer `total` as it was (dbt code uses
 * `namespace()` to carry values out), and each iteration starts again from the outer values;
 * nunjucks would overwrite the outer variable and carry values from one iteration to the next.
 */
export class JinjaFrame extends BaseFrame {
  /** Names `{% set %}` assigned in this frame, cleared when the next iteration starts. */
  readonly #assigned = new Set<string>();

  override push(): FrameLike {
    return new JinjaFrame(this, true);
  }

  override set(name: string, value: unknown, resolveUp?: boolean): void {
    // Every frame isolates writes, so `{% set %}` (resolveUp) always lands in this frame.
    if (resolveUp === true) this.#assigned.add(name);
    else this.#assigned.delete(name);
    // nunjucks binds the loop variable, then `loop.index`, at the top of every iteration.
    if (name === "loop.index" && this.#assigned.size > 0) {
      for (const assigned of this.#assigned) delete this.variables[assigned];
      this.#assigned.clear();
    }
    super.set(name, value, false);
  }
}

function memberLookup(obj: unknown, name: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  // `xs[-1]` counts from the end in Python.
  if (typeof name === "number" && name < 0 && (typeof obj === "string" || Array.isArray(obj))) {
    return obj[obj.length + name];
  }
  const key = String(name);
  // Macro output arrives as a SafeString (a String object); dbt code calls `.strip()` on it.
  const method = pythonMethod(obj instanceof String ? String(obj) : obj, key);
  if (method !== undefined) return method;
  // `'abc'.length` or `xs.push` do not exist in Jinja; answering them would hide a typo.
  if (isJavaScriptOnlyMember(obj, key)) return undefined;
  // A callable that carries members of its own (`modules.datetime.datetime.strptime`) is
  // handed out as is: nunjucks would wrap it in a bound function and lose the members.
  const member = (obj as Record<string, unknown>)[key];
  if (typeof member === "function" && Object.keys(member).length > 0) return member;
  return nunjucksRuntime.memberLookup(obj, name);
}

function suppressValue(value: unknown, autoescape: boolean): unknown {
  // Strings and SafeStrings (macro output) pass through untouched: the hot path.
  if (typeof value === "string" || typeof value === "number" || value instanceof nunjucksRuntime.SafeString) {
    return value;
  }
  // Jinja prints None as Python does (dbt_utils' get_single_value returns None while parsing).
  if (value === null) return "None";
  if (
    typeof value === "boolean" ||
    Array.isArray(value) ||
    (typeof value === "object" && value?.constructor === Object)
  ) {
    return pyStr(value);
  }
  return nunjucksRuntime.suppressValue(value, autoescape);
}

function setNamespaceAttribute(target: unknown, name: string, value: unknown): string {
  if (!(target instanceof Namespace)) {
    throw new AlmanacError(
      "ALMANAC_TEMPLATE_ERROR",
      `cannot assign attribute "${name}" on ${pyRepr(target)}: {% set x.attribute = … %} only works on namespace() objects`,
    );
  }
  (target as unknown as Record<string, unknown>)[name] = value;
  return "";
}

// nunjucks refuses to print None; Jinja prints it. Printing an undefined name stays an error in
// the project's own files (it is almost always a typo).
function ensureDefined(value: unknown, lineno: number, colno: number): unknown {
  if (value === null) return value;
  return (nunjucksRuntime.ensureDefined as (v: unknown, l: number, c: number) => unknown)(value, lineno, colno);
}

// `x in some_set`; strings, lists and dicts keep nunjucks' meaning, which is Python's.
function inOperator(key: unknown, container: unknown): boolean {
  if (container instanceof Set) return container.has(key instanceof String ? String(key) : key);
  return (nunjucksRuntime.inOperator as (k: unknown, c: unknown) => boolean)(key, container);
}

/**
 * The runtime Almanac's compiled templates run against: nunjucks' own, with Python member
 * lookup, Python printing, Jinja loop scoping, and the helpers the Jinja parser emits calls to.
 * Built once; templates receive it instead of nunjucks' module.
 */
export const jinjaRuntime: NunjucksRuntime = Object.freeze({
  ...nunjucksRuntime,
  Frame: JinjaFrame,
  memberLookup,
  suppressValue,
  ensureDefined,
  inOperator,
  makeMacro,
  contextOrFrameLookup,
  almanacStarArgs: starArgs,
  almanacStarKwargs: starKwargs,
  almanacDictKey: dictKey,
  almanacModulo: pyModulo,
  almanacAdd: pyAdd,
  almanacCompare: pyCompare,
  almanacSubtract: pySubtract,
  almanacTruthy: pyTruthy,
  almanacSlice: pySlice,
  almanacSetAttribute: setNamespaceAttribute,
  almanacReturnBoundary: returnBoundary,
});

/**
 * The runtime of installed packages' files: an undefined name prints as nothing, as Jinja's
 * default Undefined does in dbt (dbt_utils prints variables set only in some branches). Their
 * code is not the user's to fix, and dbt renders it so.
 */
export const packageJinjaRuntime: NunjucksRuntime = Object.freeze({
  ...jinjaRuntime,
  ensureDefined: (value: unknown) => (value === undefined ? "" : value),
});
