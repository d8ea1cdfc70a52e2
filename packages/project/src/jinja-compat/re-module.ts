import { AlmanacError } from "@almanac/errors";
import { pyRepr, splitArguments } from "./python-values.js";

/**
 * Python's `re` as dbt exposes it (`modules.re`), for the patterns packages write: `sub`,
 * `match`, `fullmatch`, `search`, `findall`, `split`, `compile`, `escape` and the flags. Python
 * patterns are translated to JavaScript ones; what has no translation (lookbehind differences
 * aside, `(?P=name)` back references) is refused rather than matched differently.
 */

const IGNORECASE = 2;
const MULTILINE = 8;
const DOTALL = 16;
const VERBOSE = 64;

function text(value: unknown, fn: string): string {
  if (typeof value === "string") return value;
  if (value instanceof String) return String(value);
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `re.${fn}() needs a string, got ${pyRepr(value)}`);
}

function jsFlags(flags: number, extra = ""): string {
  let result = `u${extra}`;
  if (flags & IGNORECASE) result += "i";
  if (flags & MULTILINE) result += "m";
  if (flags & DOTALL) result += "s";
  return result;
}

/** A compiled Python pattern: `re.compile(p)` and what the functions build on. */
class Pattern {
  readonly pattern: string;
  readonly flags: number;
  readonly #source: string;

  constructor(pattern: string, flags: number) {
    this.pattern = pattern;
    let source = pattern;
    let all = flags;
    // Leading inline flags, as `(?i)` or `(?i)(?s)` in Python.
    for (let inline = /^\(\?([aiLmsux]+)\)/.exec(source); inline; inline = /^\(\?([aiLmsux]+)\)/.exec(source)) {
      source = source.slice(inline[0].length);
      for (const flag of inline[1] ?? "") {
        all |=
          flag === "i" ? IGNORECASE : flag === "m" ? MULTILINE : flag === "s" ? DOTALL : flag === "x" ? VERBOSE : 0;
      }
    }
    if (/\(\?P=/.test(source)) {
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `re: (?P=name) back references are not supported in ${pyRepr(pattern)}`,
      );
    }
    source = toJavaScriptSyntax(source, (all & VERBOSE) !== 0)
      .replace(/\(\?P</g, "(?<")
      .replace(/\\A/g, "^")
      .replace(/\\Z/g, "$");
    this.flags = all;
    this.#source = source;
    this.regex("");
  }

  regex(extra: string): RegExp {
    try {
      return new RegExp(this.#source, jsFlags(this.flags, extra));
    } catch (error) {
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `re: bad pattern ${pyRepr(this.pattern)}: ${(error as Error).message}`,
      );
    }
  }

  match(value: unknown): Match | null {
    const found = this.regex("y").exec(text(value, "match"));
    return found ? new Match(found) : null;
  }

  fullmatch(value: unknown): Match | null {
    const string = text(value, "fullmatch");
    const found = this.regex("y").exec(string);
    return found && found[0].length === string.length ? new Match(found) : null;
  }

  search(value: unknown): Match | null {
    const found = this.regex("").exec(text(value, "search"));
    return found ? new Match(found) : null;
  }

  findall(value: unknown): unknown[] {
    return [...text(value, "findall").matchAll(this.regex("g"))].map((found) =>
      found.length === 1 ? found[0] : found.length === 2 ? (found[1] ?? "") : found.slice(1).map((g) => g ?? ""),
    );
  }

  split(value: unknown, maxsplit = 0): string[] {
    const string = text(value, "split");
    const parts: string[] = [];
    let last = 0;
    let splits = 0;
    for (const found of string.matchAll(this.regex("g"))) {
      if (maxsplit > 0 && splits >= maxsplit) break;
      parts.push(string.slice(last, found.index), ...found.slice(1).map((g) => g ?? ""));
      last = found.index + found[0].length;
      splits++;
    }
    parts.push(string.slice(last));
    return parts;
  }

  sub(repl: unknown, value: unknown, count = 0): string {
    const string = text(value, "sub");
    const template = text(repl, "sub");
    let replaced = 0;
    return string.replace(this.regex("g"), (...args: unknown[]) => {
      const whole = args[0] as string;
      if (count > 0 && replaced >= count) return whole;
      replaced++;
      const groups = args.slice(
        1,
        args.findIndex((arg) => typeof arg === "number"),
      ) as (string | undefined)[];
      const named = (typeof args[args.length - 1] === "object" ? args[args.length - 1] : {}) as Record<string, string>;
      return expandTemplate(template, whole, groups, named ?? {});
    });
  }
}

/** Python's replacement template: `\1`, `\g<1>`, `\g<name>`, and the escapes `\n`, `\\`. */
function expandTemplate(
  repl: string,
  whole: string,
  groups: (string | undefined)[],
  named: Record<string, string>,
): string {
  return repl.replace(/\\(g<(\w+)>|\d{1,2}|n|t|\\)/g, (_, token: string, name?: string) => {
    if (token === "n") return "\n";
    if (token === "t") return "\t";
    if (token === "\\") return "\\";
    const key = name ?? token;
    if (/^\d+$/.test(key)) return Number(key) === 0 ? whole : (groups[Number(key) - 1] ?? "");
    return named[key] ?? "";
  });
}

/** A match: truthy, `group()`, `groups()`, `start()`, `end()`, `span()`. */
class Match {
  readonly #found: RegExpExecArray;

  constructor(found: RegExpExecArray) {
    this.#found = found;
  }

  group(...which: unknown[]): unknown {
    const one = (key: unknown) =>
      typeof key === "string" ? (this.#found.groups?.[key] ?? null) : (this.#found[Number(key ?? 0)] ?? null);
    return which.length <= 1 ? one(which[0]) : which.map(one);
  }

  groups(): (string | null)[] {
    return this.#found.slice(1).map((g) => g ?? null);
  }

  start(): number {
    return this.#found.index;
  }

  end(): number {
    return this.#found.index + this.#found[0].length;
  }

  span(): number[] {
    return [this.start(), this.end()];
  }

  toString(): string {
    return `<re.Match object; span=(${this.start()}, ${this.end()}), match=${pyRepr(this.#found[0])}>`;
  }
}

/**
 * Python pattern syntax JavaScript's unicode patterns read differently, rewritten in one scan
 * that skips escapes and character classes:
 * - a `{` or `}` that is no `{m}`, `{m,}` or `{m,n}` quantifier is the character itself in
 *   Python (`{{ ref(` in codegen's patterns), so it is escaped;
 * - with VERBOSE, whitespace and `#` comments (to the end of the line) are dropped, and `\ `
 *   and `\#` become the bare character (JavaScript refuses those escapes).
 */
function toJavaScriptSyntax(source: string, verbose: boolean): string {
  let result = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? "";
    if (char === "\\") {
      const escaped = source[i + 1] ?? "";
      result += verbose && /[\s#]/.test(escaped) ? escaped : char + escaped;
      i++;
    } else if (inClass) {
      if (char === "]") inClass = false;
      result += char;
    } else if (char === "[") {
      inClass = true;
      result += char;
      // A `]` right after `[` or `[^` is a member, not the end of the class.
      for (const literal of ["^", "]"]) {
        if (source[i + 1] === literal) {
          result += literal;
          i++;
        }
      }
    } else if (verbose && char === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (verbose && /\s/.test(char)) {
      // Layout, not pattern.
    } else if (char === "{" || char === "}") {
      const quantifier = char === "{" ? /^\{\d+(,\d*)?\}/.exec(source.slice(i)) : null;
      result += quantifier ? quantifier[0] : `\\${char}`;
      if (quantifier) i += quantifier[0].length - 1;
    } else {
      result += char;
    }
  }
  return result;
}

function compiled(pattern: unknown, flags: unknown): Pattern {
  if (pattern instanceof Pattern) return pattern;
  return new Pattern(text(pattern, "compile"), Number(flags ?? 0));
}

/** Python's signature `fn(pattern, a, b, …, flags=0)` over positional or keyword arguments. */
function call(names: readonly string[], args: unknown[]): Record<string, unknown> {
  const { positional, keywords } = splitArguments(args);
  return Object.fromEntries(names.map((name, i) => [name, i < positional.length ? positional[i] : keywords[name]]));
}

export const reModule = Object.freeze({
  IGNORECASE,
  I: IGNORECASE,
  MULTILINE,
  M: MULTILINE,
  DOTALL,
  S: DOTALL,
  VERBOSE,
  X: VERBOSE,
  compile: (...args: unknown[]) => {
    const a = call(["pattern", "flags"], args);
    return compiled(a.pattern, a.flags);
  },
  match: (...args: unknown[]) => {
    const a = call(["pattern", "string", "flags"], args);
    return compiled(a.pattern, a.flags).match(a.string);
  },
  fullmatch: (...args: unknown[]) => {
    const a = call(["pattern", "string", "flags"], args);
    return compiled(a.pattern, a.flags).fullmatch(a.string);
  },
  search: (...args: unknown[]) => {
    const a = call(["pattern", "string", "flags"], args);
    return compiled(a.pattern, a.flags).search(a.string);
  },
  findall: (...args: unknown[]) => {
    const a = call(["pattern", "string", "flags"], args);
    return compiled(a.pattern, a.flags).findall(a.string);
  },
  split: (...args: unknown[]) => {
    const a = call(["pattern", "string", "maxsplit", "flags"], args);
    return compiled(a.pattern, a.flags).split(a.string, Number(a.maxsplit ?? 0));
  },
  sub: (...args: unknown[]) => {
    const a = call(["pattern", "repl", "string", "count", "flags"], args);
    return compiled(a.pattern, a.flags).sub(a.repl, a.string, Number(a.count ?? 0));
  },
  escape: (value: unknown) => text(value, "escape").replace(/[^\p{L}\p{N}_]/gu, (c) => `\\${c}`),
});
