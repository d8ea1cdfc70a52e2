import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DagNode, topologicalOrder } from "./dag.js";

function graph(edges: Record<string, string[]>): Map<string, DagNode> {
  return new Map(Object.entries(edges).map(([name, refs]) => [name, { name, path: `models/${name}.sql`, refs }]));
}

describe("topologicalOrder", () => {
  it("puts upstream first and breaks ties by name", () => {
    const order = topologicalOrder(graph({ d: ["b", "c"], c: ["a"], b: ["a"], a: [], z: [], e: [] }));
    assert.deepEqual(order, ["a", "b", "c", "d", "e", "z"]);
  });
  it("names the cycle and its files", () => {
    assert.throws(() => topologicalOrder(graph({ root: [], a: ["root", "b"], b: ["a"], c: ["a"] })), {
      code: "ALMANAC_CYCLIC_REF",
      message: "cycle in ref(): a -> b -> a (models/a.sql, models/b.sql)",
    });
  });
  it("reports a model that refs itself", () => {
    assert.throws(() => topologicalOrder(graph({ a: ["a"] })), {
      code: "ALMANAC_CYCLIC_REF",
      message: "cycle in ref(): a -> a (models/a.sql)",
    });
  });
});
