import { AlmanacError } from "@almanac/errors";
import { isMapping, pyRepr, pyStr, splitArguments } from "./python-values.js";

/**
 * Python methods that dbt code calls on strings, lists and dicts, looked up in place of the
 * JavaScript ones. Where a JavaScript method of the same name exists it means something else
 * (`'a-b-c'.replace('-', '_')` replaces only the first match, `'a b'.split()` does not split),
 * so strings, lists and dicts only ever get the Python meaning.
 */
type Method = (self: never, ...args: unknown[]) => unknown;

function text(value: unknown, method: string): string {
  if (typeof value === "string") return value;
  throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `str.${method}() needs string arguments, got ${pyRepr(value)}`);
}

function stripChars(chars: unknown): string | undefined {
  return chars === undefined || chars === null ? undefined : text(chars, "strip");
}

function stripLeft(self: string, chars?: string): string {
  if (chars === undefined) return self.trimStart();
  let i = 0;
  while (i < self.length && chars.includes(self.charAt(i))) i++;
  return self.slice(i);
}

function stripRight(self: string, chars?: string): string {
  if (chars === undefined) return self.trimEnd();
  let i = self.length;
  while (i > 0 && chars.includes(self.charAt(i - 1))) i--;
  return self.slice(0, i);
}

function prefixes(value: unknown, method: string): string[] {
  return Array.isArray(value) ? value.map((v) => text(v, method)) : [text(value, method)];
}

const stringMethods: Record<string, (self: string, ...args: unknown[]) => unknown> = {
  lower: (self) => self.toLowerCase(),
  upper: (self) => self.toUpperCase(),
  title: (self) =>
    self.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  capitalize: (self) => self.charAt(0).toUpperCase() + self.slice(1).toLowerCase(),
  strip: (self, chars) => stripRight(stripLeft(self, stripChars(chars)), stripChars(chars)),
  lstrip: (self, chars) => stripLeft(self, stripChars(chars)),
  rstrip: (self, chars) => stripRight(self, stripChars(chars)),
  startswith: (self, prefix) => prefixes(prefix, "startswith").some((p) => self.startsWith(p)),
  endswith: (self, suffix) => prefixes(suffix, "endswith").some((s) => self.endsWith(s)),
  replace: (self, old, replacement, count) => {
    const from = text(old, "replace");
    const to = text(replacement, "replace");
    if (count === undefined || Number(count) < 0) return self.split(from).join(to);
    const parts = self.split(from);
    const n = Number(count);
    return parts.slice(0, n + 1).join(to) + (parts.length > n + 1 ? from + parts.slice(n + 1).join(from) : "");
  },
  split: (self, separator, maxsplit) => {
    const limit = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
    if (separator === undefined || separator === null) {
      const words = self
        .trim()
        .split(/\s+/)
        .filter((w) => w !== "");
      if (limit < 0 || words.length <= limit + 1) return words;
      // Python keeps the rest of the string, spacing intact, as the last item.
      const head = words.slice(0, limit);
      let rest = self.trimStart();
      for (const word of head) rest = rest.slice(rest.indexOf(word) + word.length).trimStart();
      return [...head, rest];
    }
    const sep = text(separator, "split");
    if (sep === "") throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "str.split() got an empty separator");
    const parts = self.split(sep);
    return limit < 0 || parts.length <= limit + 1 ? parts : [...parts.slice(0, limit), parts.slice(limit).join(sep)];
  },
  join: (self, items) => {
    if (!Array.isArray(items))
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `str.join() needs a list, got ${pyRepr(items)}`);
    return items.map((item) => text(item, "join")).join(self);
  },
  format: (self, ...args) => {
    const { positional, keywords } = splitArguments(args);
    let next = 0;
    return self.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rs])?(?::([^{}]*))?\}/g, (all, field: string | undefined) => {
      if (all === "{{") return "{";
      if (all === "}}") return "}";
      const key = field ?? "";
      let value: unknown;
      if (key === "") value = positional[next++];
      else if (/^\d+$/.test(key)) value = positional[Number(key)];
      else if (Object.hasOwn(keywords, key)) value = keywords[key];
      else throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `str.format() got no value for {${key}}`);
      if (value === undefined)
        throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `str.format() has too few arguments for ${pyRepr(self)}`);
      return pyStr(value);
    });
  },
  isdigit: (self) => /^\d+$/.test(self),
  count: (self, sub) => self.split(text(sub, "count")).length - 1,
  find: (self, sub) => self.indexOf(text(sub, "find")),
};

const listMethods: Record<string, (self: unknown[], ...args: unknown[]) => unknown> = {
  append: (self, item) => {
    self.push(item);
    return "";
  },
  extend: (self, items) => {
    if (!Array.isArray(items))
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `list.extend() needs a list, got ${pyRepr(items)}`);
    self.push(...items);
    return "";
  },
  insert: (self, index, item) => {
    self.splice(Number(index), 0, item);
    return "";
  },
  pop: (self, index) => {
    if (self.length === 0) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "pop from empty list");
    const i = index === undefined ? self.length - 1 : Number(index) < 0 ? self.length + Number(index) : Number(index);
    return self.splice(i, 1)[0];
  },
  remove: (self, item) => {
    const i = self.indexOf(item);
    if (i < 0) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `list.remove(${pyRepr(item)}): not in list`);
    self.splice(i, 1);
    return "";
  },
  index: (self, item) => {
    const i = self.indexOf(item);
    if (i < 0) throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${pyRepr(item)} is not in list`);
    return i;
  },
  count: (self, item) => self.filter((x) => x === item).length,
  copy: (self) => [...self],
};

const dictMethods: Record<string, (self: Record<string, unknown>, ...args: unknown[]) => unknown> = {
  items: (self) => Object.entries(self),
  keys: (self) => Object.keys(self),
  values: (self) => Object.values(self),
  get: (self, key, fallback = null) => (Object.hasOwn(self, String(key)) ? self[String(key)] : fallback),
  update: (self, ...args) => {
    const { positional, keywords } = splitArguments(args);
    for (const other of positional) {
      if (!isMapping(other))
        throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `dict.update() needs a dict, got ${pyRepr(other)}`);
      Object.assign(self, other);
    }
    Object.assign(self, keywords);
    return "";
  },
  pop: (self, key, ...fallback) => {
    const name = String(key);
    if (Object.hasOwn(self, name)) {
      const value = self[name];
      delete self[name];
      return value;
    }
    if (fallback.length > 0) return fallback[0];
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `dict.pop(${pyRepr(key)}): no such key`);
  },
  setdefault: (self, key, fallback = null) => {
    const name = String(key);
    if (!Object.hasOwn(self, name)) self[name] = fallback;
    return self[name];
  },
  copy: (self) => ({ ...self }),
};

/** The Python method `name` of `value` bound to it, or undefined when it has none. */
export function pythonMethod(value: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof value === "string") table = stringMethods as Record<string, Method>;
  else if (Array.isArray(value)) table = listMethods as Record<string, Method>;
  // A key of the dict wins over a method of the same name: nunjucks compiles `d.items` and
  // `d["items"]` alike, and the subscript must read the key.
  else if (isMapping(value) && !Object.hasOwn(value, name)) table = dictMethods as Record<string, Method>;
  const method = table && Object.hasOwn(table, name) ? table[name] : undefined;
  return method === undefined
    ? undefined
    : (...args: unknown[]) => (method as (...a: unknown[]) => unknown)(value, ...args);
}

/** True for names that are JavaScript members of strings/lists but not Python ones (`.length`, `.push`). */
export function isJavaScriptOnlyMember(value: unknown, name: string): boolean {
  if (typeof value !== "string" && !Array.isArray(value)) return false;
  // Own names other than `length` are the column names of a query result's rows (row['id']).
  if (Array.isArray(value) && name !== "length" && Object.hasOwn(value, name)) return false;
  return !/^\d+$/.test(name) && name in Object(value);
}
