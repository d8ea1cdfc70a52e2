import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { modelSelect } from "./model-sql.js";
import { siblingIdentifier } from "./relations.js";
import { modelSqlLine } from "./sql-errors.js";

describe("modelSqlLine", () => {
  const model = "select a,\n  b\nfrom t";
  const statement = `create table x as\n${model}`;
  const at = (needle: string) => statement.indexOf(needle) + 1;
  const cases: [string, number, number | undefined][] = [
    ["first line", at("select"), 1],
    ["second line", at("b\n"), 2],
    ["third line", at("from"), 3],
    ["in Almanac's wrapper", at("create"), undefined],
    ["past the end", statement.length + 5, undefined],
  ];
  for (const [name, position, line] of cases) {
    it(name, () => assert.equal(modelSqlLine(statement, model, position), line));
  }
  it("counts code points as Postgres does", () => {
    const emoji = "select '😀',\n  x";
    const s = `create view v as\n${emoji}`;
    // Postgres's position of `x`, in code points.
    const position = [...s].indexOf("x") + 1;
    assert.equal(modelSqlLine(s, emoji, position), 2);
  });
});

describe("modelSelect", () => {
  it("strips trailing semicolons and blanks, keeps leading lines", () => {
    assert.equal(modelSelect("\n\nselect 1 ;\n ; \n"), "\n\nselect 1");
  });
});

describe("siblingIdentifier", () => {
  it("appends the suffix when it fits", () => assert.equal(siblingIdentifier("t", "__almanac_new"), "t__almanac_new"));
  it("stays within 63 bytes and unique for long names", () => {
    const a = siblingIdentifier(`${"é".repeat(31)}a`, "__almanac_new");
    const b = siblingIdentifier(`${"é".repeat(31)}b`, "__almanac_new");
    assert.ok(Buffer.byteLength(a) <= 63);
    assert.notEqual(a, b);
    assert.ok(a.endsWith("__almanac_new"));
  });
});
