import { AlmanacError } from "@almanac/errors";
import { unknownAsset } from "./relation.js";
import type { Project } from "./types.js";

/** The part of a model the DAG needs. */
export interface DagNode {
  readonly name: string;
  readonly path: string;
  /** Models this one refs (already checked to exist). */
  readonly refs: readonly string[];
}

/**
 * Upstream-before-downstream order of `nodes` (Kahn's algorithm). Among models that are ready
 * at the same time the smallest name goes first, so the order is the same on every load.
 * A cycle is ALMANAC_CYCLIC_REF: `cycle in ref(): a -> b -> a (models/a.sql, models/b.sql)`.
 */
export function topologicalOrder(nodes: ReadonlyMap<string, DagNode>): string[] {
  const waitingOn = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const node of nodes.values()) {
    waitingOn.set(node.name, node.refs.length);
    for (const parent of node.refs) children.set(parent, [...(children.get(parent) ?? []), node.name]);
  }
  const ready = [...waitingOn].filter(([, count]) => count === 0).map(([name]) => name);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort();
    const name = ready.shift() as string;
    order.push(name);
    for (const child of children.get(name) ?? []) {
      const left = (waitingOn.get(child) ?? 0) - 1;
      waitingOn.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length < nodes.size) throw cycleError(nodes, new Set(order));
  return order;
}

function cycleError(nodes: ReadonlyMap<string, DagNode>, ordered: ReadonlySet<string>): AlmanacError {
  // Every model left over waits on another left-over model, so following refs from any of
  // them must come back to a model already on the path.
  const stuck = [...nodes.keys()].filter((name) => !ordered.has(name)).sort();
  const path: string[] = [];
  let current = stuck[0] as string;
  while (!path.includes(current)) {
    path.push(current);
    const refs = nodes.get(current)?.refs ?? [];
    current = [...refs].sort().find((ref) => !ordered.has(ref)) as string;
  }
  const cycle = [...path.slice(path.indexOf(current)), current];
  const files = [...new Set(cycle.map((name) => nodes.get(name)?.path ?? name))];
  return new AlmanacError("ALMANAC_CYCLIC_REF", `cycle in ref(): ${cycle.join(" -> ")} (${files.join(", ")})`, {
    cycle,
    files,
    file: files[0],
  });
}

/** What model `name` reads: the models and the seeds it refs (a seed, or an unknown name, reads nothing). */
export function parentsOf(project: Project, name: string): readonly string[] {
  const model = project.models.get(name);
  return model === undefined ? [] : [...model.refs, ...model.seedRefs];
}

// Downstream edges are derived once per project; `downstreamOf` is called per model in plans.
const childrenByProject = new WeakMap<Project, ReadonlyMap<string, readonly string[]>>();

function childrenOf(project: Project): ReadonlyMap<string, readonly string[]> {
  let children = childrenByProject.get(project);
  if (children === undefined) {
    const built = new Map<string, string[]>();
    for (const name of project.order) {
      for (const parent of parentsOf(project, name)) built.set(parent, [...(built.get(parent) ?? []), name]);
    }
    children = built;
    childrenByProject.set(project, children);
  }
  return children;
}

/** Models that model `name` refs directly, in first-seen order. Throws ALMANAC_UNKNOWN_ASSET. */
export function upstreamOf(project: Project, name: string): string[] {
  const model = project.models.get(name);
  if (model === undefined) throw unknownAsset(project, name);
  return [...model.refs];
}

/** Models that ref model `name` directly, in project order. Throws ALMANAC_UNKNOWN_ASSET. */
export function downstreamOf(project: Project, name: string): string[] {
  if (!project.models.has(name)) throw unknownAsset(project, name);
  return [...(childrenOf(project).get(name) ?? [])];
}

/**
 * Models and seeds reachable from `start` (models or seeds) by following refs up or down, at
 * most `depth` steps away (undefined: no limit). `start` itself is not included. Seeds are nodes
 * here, as in dbt's graph, so a selection such as `+orders` reaches the seeds orders reads.
 */
export function reachable(
  project: Project,
  start: Iterable<string>,
  direction: "up" | "down",
  depth: number | undefined,
): Set<string> {
  const found = new Set<string>();
  let frontier = [...start];
  for (let step = 0; frontier.length > 0 && (depth === undefined || step < depth); step++) {
    const next: string[] = [];
    for (const name of frontier) {
      const neighbours = direction === "up" ? parentsOf(project, name) : (childrenOf(project).get(name) ?? []);
      for (const neighbour of neighbours) {
        if (!found.has(neighbour)) {
          found.add(neighbour);
          next.push(neighbour);
        }
      }
    }
    frontier = next;
  }
  return found;
}
