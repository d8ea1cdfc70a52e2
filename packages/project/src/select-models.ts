import { AlmanacError } from "@almanac/errors";
import { reachable } from "./dag.js";
import { unknownAsset } from "./relation.js";
import type { Model, Project } from "./types.js";

/** One selector atom: what it matches and how far to extend it through the graph. */
interface SelectorAtom {
  readonly text: string;
  readonly method: "name" | "tag" | "path" | "config";
  /** For `config.<key>:`. */
  readonly key?: string;
  readonly value: string;
  /** `+x` / `2+x`: ancestors up to this depth (null: unlimited); undefined: none. */
  readonly upstream?: number | null;
  /** `x+` / `x+2`: descendants up to this depth. */
  readonly downstream?: number | null;
  /** `@x`: x, its descendants, and every ancestor of those (what a rebuild of x needs). */
  readonly withAncestorsOfDescendants: boolean;
}

const methods = "a model name, tag:, path:, config.<key>:, or *";

function badSelector(selector: string, text: string, why: string): AlmanacError {
  return new AlmanacError("ALMANAC_BAD_SELECTOR", `selector "${selector}": "${text}" ${why} (use ${methods})`, {
    selector,
    atom: text,
  });
}

function depthOf(digits: string | undefined): number | null {
  return digits === undefined || digits === "" ? null : Number(digits);
}

/** Parses one atom such as `2+tag:daily+`, `@stg_trips`, `config.materialized:incremental`. */
function parseAtom(selector: string, text: string): SelectorAtom {
  let rest = text;
  const at = rest.startsWith("@");
  if (at) rest = rest.slice(1);
  const prefix = /^(\d*)\+/.exec(rest);
  if (prefix) rest = rest.slice(prefix[0].length);
  // A value may itself hold `+` (`incremental_strategy:delete+insert`), so only a trailing
  // `+` or `+<digits>` is a graph operator.
  const suffix = /\+(\d*)$/.exec(rest);
  if (suffix) rest = rest.slice(0, suffix.index);
  if (at && (prefix || suffix)) throw badSelector(selector, text, "cannot combine @ with +");
  if (rest === "" || rest.startsWith("+") || rest.endsWith("+")) throw badSelector(selector, text, "names nothing");
  const graph = {
    withAncestorsOfDescendants: at,
    ...(prefix ? { upstream: depthOf(prefix[1]) } : {}),
    ...(suffix ? { downstream: depthOf(suffix[1]) } : {}),
  };
  const colon = rest.indexOf(":");
  if (colon === -1) {
    // dbt reads a bare selector with a slash as a path (`models/staging`).
    if (rest.includes("/") || rest.endsWith(".sql")) return { text, method: "path", value: rest, ...graph };
    if (!/^[\w*?.-]+$/.test(rest)) throw badSelector(selector, text, "is not a model name");
    return { text, method: "name", value: rest, ...graph };
  }
  const method = rest.slice(0, colon);
  const value = rest.slice(colon + 1);
  if (value === "") throw badSelector(selector, text, `has no value after "${method}:"`);
  if (method === "tag" || method === "path") return { text, method, value, ...graph };
  if (method.startsWith("config.") && method.length > "config.".length) {
    return { text, method: "config", key: method.slice("config.".length), value, ...graph };
  }
  throw badSelector(selector, text, `uses unknown method "${method}"`);
}

function globPattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** A model or a seed as selection methods see it. */
interface SelectableNode {
  readonly name: string;
  readonly path: string;
  readonly config: Readonly<Record<string, unknown>>;
}

function configMatches(node: SelectableNode, key: string, value: string): boolean {
  const actual = node.config[key];
  if (Array.isArray(actual)) return actual.some((item) => String(item) === value);
  return actual !== undefined && actual !== null && String(actual) === value;
}

function normalizePath(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "");
}

/** Models and seeds an atom matches before graph operators. */
function baseMatches(project: Project, atom: SelectorAtom): Set<string> {
  const nodes: SelectableNode[] = [...project.models.values(), ...project.seeds.values()];
  const matching = (test: (node: SelectableNode) => boolean) => new Set(nodes.filter(test).map((node) => node.name));
  switch (atom.method) {
    case "name": {
      if (/[*?]/.test(atom.value)) {
        const pattern = globPattern(atom.value);
        return matching((node) => pattern.test(node.name));
      }
      if (!project.models.has(atom.value) && !project.seeds.has(atom.value)) throw unknownAsset(project, atom.value);
      return new Set([atom.value]);
    }
    case "tag":
      return matching((node) => configMatches(node, "tags", atom.value));
    case "path": {
      const path = normalizePath(atom.value);
      return matching((node) => node.path === path || node.path.startsWith(`${path}/`));
    }
    case "config":
      return matching((node) => configMatches(node, atom.key ?? "", atom.value));
  }
}

function evaluateAtom(project: Project, atom: SelectorAtom): Set<string> {
  const base = baseMatches(project, atom);
  const selected = new Set(base);
  if (atom.withAncestorsOfDescendants) {
    for (const name of reachable(project, base, "down", undefined)) selected.add(name);
    for (const name of reachable(project, [...selected], "up", undefined)) selected.add(name);
    return selected;
  }
  if (atom.upstream !== undefined) {
    for (const name of reachable(project, base, "up", atom.upstream ?? undefined)) selected.add(name);
  }
  if (atom.downstream !== undefined) {
    for (const name of reachable(project, base, "down", atom.downstream ?? undefined)) selected.add(name);
  }
  return selected;
}

/**
 * Resolves a dbt selector to model names in project (topological) order; seeds it selects are
 * left out (see `selectNodes`). Supports names and
 * `*`/`?` globs, `+name` / `name+` with optional depths (`2+name`, `name+1`), `@name`,
 * `tag:x`, `path:models/staging` (folder or file, relative to the project dir),
 * `config.<key>:<value>`; space-separated terms are a union, comma-joined atoms an
 * intersection. Throws ALMANAC_BAD_SELECTOR, ALMANAC_UNKNOWN_ASSET (with a did-you-mean) or
 * ALMANAC_EMPTY_SELECTION when nothing matches.
 */
export function selectModels(project: Project, selector: string): string[] {
  const { models } = selectedNodes(project, selector);
  if (models.length === 0) {
    throw new AlmanacError("ALMANAC_EMPTY_SELECTION", `selector "${selector}" matches no model`, { selector });
  }
  return models;
}

/**
 * The models (in project order) and seeds (in name order) a dbt selector selects. Seeds are
 * nodes of the graph as in dbt: a seed's name, tag or path selects it, and `+orders` reaches the
 * seeds orders reads. Throws as `selectModels`, ALMANAC_EMPTY_SELECTION when both are empty.
 */
export function selectNodes(project: Project, selector: string): { models: string[]; seeds: string[] } {
  const selected = selectedNodes(project, selector);
  if (selected.models.length === 0 && selected.seeds.length === 0) {
    throw new AlmanacError("ALMANAC_EMPTY_SELECTION", `selector "${selector}" matches no model or seed`, { selector });
  }
  return selected;
}

function selectedNodes(project: Project, selector: string): { models: string[]; seeds: string[] } {
  const terms = selector.trim().split(/\s+/).filter(Boolean);
  if (terms.length === 0) {
    throw new AlmanacError("ALMANAC_BAD_SELECTOR", `empty selector (use ${methods})`, { selector });
  }
  const selected = new Set<string>();
  for (const term of terms) {
    const parts = term.split(",");
    if (parts.some((part) => part === "")) throw badSelector(selector, term, "has an empty part around a comma");
    const sets = parts.map((part) => evaluateAtom(project, parseAtom(selector, part)));
    const [first, ...others] = sets;
    for (const name of first ?? []) if (others.every((set) => set.has(name))) selected.add(name);
  }
  const models = project.order.filter((name) => selected.has(name));
  const seeds = [...project.seeds.keys()].filter((name) => selected.has(name)).sort();
  return { models, seeds };
}
