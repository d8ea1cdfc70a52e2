import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lineOfCall, lineOfQuoted } from "./parse-model.js";

describe("lineOfCall", () => {
  const raw = "select 1\nfrom {{ ref( 'orders' ) }}\njoin {{ source(\"raw\", 'zones') }}\n";
  it("finds the line of a literal ref or source call", () => {
    assert.equal(lineOfCall(raw, "ref", ["orders"]), 2);
    assert.equal(lineOfCall(raw, "source", ["raw", "zones"]), 3);
  });
  it("is undefined for a call that is not written out", () => {
    assert.equal(lineOfCall(raw, "ref", ["order"]), undefined);
    assert.equal(lineOfQuoted("a\n{{ ref('pkg', 'm') }}", "m"), 2);
  });
});
