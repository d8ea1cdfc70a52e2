import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchFilteredRelation, batchOf } from "./microbatch-window.js";

// dbt 1.9 prints `{{ ref('events') }}` of a node with event_time filtered to the batch, while
// `{{ ref('events').render() }}`, `.schema` and `.identifier` stay the plain relation's (macros
// such as dbt_utils' build SQL from those).
test("a batch-filtered relation prints filtered, and renders, names and includes plain", () => {
  const batch = batchOf({ min_ts: "2024-03-02T00:00:00+00:00", max_ts: "2024-03-03T00:00:00+00:00" }, false);
  assert.ok(batch);
  const relation = new BatchFilteredRelation({ schema: "public", identifier: "events" }, "occurred_at", batch);
  assert.equal(
    String(relation),
    `(select * from "public"."events" where occurred_at >= '2024-03-02 00:00:00+00:00' and occurred_at < '2024-03-03 00:00:00+00:00') _dbt_et_filter_subq_events`,
  );
  assert.equal(relation.render(), `"public"."events"`);
  assert.deepEqual([relation.schema, relation.identifier], ["public", "events"]);
  assert.equal(String(relation.include({ schema: false })), `"events"`);
  assert.equal(batch.id, "20240302");
});
