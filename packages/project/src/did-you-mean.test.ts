import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestName, didYouMean } from "./did-you-mean.js";

describe("didYouMean", () => {
  it("suggests a name a typo away", () => {
    assert.equal(didYouMean("stg_tripz", ["stg_trips", "stg_zones", "daily_metrics"]), ' (did you mean "stg_trips"?)');
  });
  it("says nothing when no name is close", () => {
    assert.equal(didYouMean("revenue", ["stg_trips", "daily_metrics"]), "");
  });
  it("is case-insensitive and deterministic on ties", () => {
    assert.equal(closestName("ORDERS", ["orders"]), "orders");
    assert.equal(closestName("ab", ["ac", "ad"]), "ac");
  });
});
