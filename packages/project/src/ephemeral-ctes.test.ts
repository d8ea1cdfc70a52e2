import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collectEphemeralCtes, injectCtes } from "./ephemeral-ctes.js";

const x = { name: "x", sql: "select 1 as id" };
const y = { name: "y", sql: "select * from __dbt__cte__x;\n" };

describe("injectCtes", () => {
  const cases: { name: string; sql: string; ctes: (typeof x)[]; expected: string }[] = [
    { name: "no ephemerals leaves the SQL alone", sql: "select 1", ctes: [], expected: "select 1" },
    {
      name: "prepends a with when the model has none",
      sql: "select * from __dbt__cte__x",
      ctes: [x],
      expected: "with __dbt__cte__x as (\nselect 1 as id\n)\nselect * from __dbt__cte__x",
    },
    {
      name: "goes after a leading with, before the model's own CTEs",
      sql: "with a as (select 1) select * from a",
      ctes: [x],
      expected: "with __dbt__cte__x as (\nselect 1 as id\n), a as (select 1) select * from a",
    },
    {
      name: "keeps leading comments and blank lines on top",
      sql: "\n-- note\n/* block */\nWITH a as (select 1) select * from a",
      ctes: [x],
      expected: "\n-- note\n/* block */\nWITH __dbt__cte__x as (\nselect 1 as id\n), a as (select 1) select * from a",
    },
    {
      name: "goes after with recursive",
      sql: "with recursive r as (select 1) select * from r",
      ctes: [x],
      expected: "with recursive __dbt__cte__x as (\nselect 1 as id\n), r as (select 1) select * from r",
    },
    {
      name: "a column named with_x is not a with clause",
      sql: "\nselect with_x from t",
      ctes: [x],
      expected: "\nwith __dbt__cte__x as (\nselect 1 as id\n)\nselect with_x from t",
    },
    {
      name: "several CTEs in order, trailing semicolons dropped",
      sql: "select 1",
      ctes: [x, y],
      expected:
        "with __dbt__cte__x as (\nselect 1 as id\n), __dbt__cte__y as (\nselect * from __dbt__cte__x\n)\nselect 1",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(injectCtes(c.sql, c.ctes), c.expected));
  }
});

describe("collectEphemeralCtes", () => {
  it("orders dependencies first and renders each ephemeral once", () => {
    const graph: Record<string, string[]> = { a: ["b", "c"], b: ["c"], c: [] };
    const rendered: string[] = [];
    const ctes = collectEphemeralCtes(["a", "c"], (name) => {
      rendered.push(name);
      return { sql: `sql ${name}`, ephemerals: graph[name] ?? [] };
    });
    assert.deepEqual(
      ctes.map((cte) => cte.name),
      ["c", "b", "a"],
    );
    assert.deepEqual(rendered.sort(), ["a", "b", "c"]);
  });
});
