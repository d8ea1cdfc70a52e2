import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { materializeSelection } from "@almanac/engine";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

/** A shop whose order history is a timestamp snapshot, read by a model; the snapshot has tests. */
const files: Record<string, string> = {
  "dbt_project.yml": "name: shop\nsnapshots:\n  shop:\n    +target_schema: history\n",
  "models/sources.yml": "version: 2\nsources:\n  - name: shop\n    schema: raw\n    tables: [{name: orders}]\n",
  "models/order_versions.sql": [
    "{{ config(materialized='table') }}",
    "select order_id, count(*)::int as versions, bool_or(dbt_valid_to is null) as current",
    "from {{ ref('orders_snapshot') }} group by order_id",
  ].join("\n"),
  "snapshots/orders.sql": [
    "{% snapshot orders_snapshot %}",
    "{{ config(unique_key='order_id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate') }}",
    "select * from {{ source('shop', 'orders') }}",
    "{% endsnapshot %}",
  ].join("\n"),
  "snapshots/orders.yml": [
    "version: 2",
    "snapshots:",
    "  - name: orders_snapshot",
    "    columns:",
    "      - name: dbt_scd_id",
    "        data_tests: [unique]",
    "      - name: status",
    "        data_tests: [{accepted_values: {values: [placed, shipped]}}]",
  ].join("\n"),
};

describe("snapshots in runs", () => {
  let dir: string;
  let fixture: EngineFixture;

  before(async () => {
    dir = await writeProject("snapshots", files);
    fixture = await engineFixture(dir);
    await fixture.query(`create schema raw; create table raw.orders (order_id int, status text, updated_at timestamp);
      insert into raw.orders values (1, 'placed', '2024-01-01'), (2, 'placed', '2024-01-01')`);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  const versions = () =>
    fixture.query("select order_id, versions, current from public.order_versions order by order_id");

  it('materialize "+model" builds the snapshot first, then the model that refs it', async () => {
    const result = await materializeSelection(fixture.ctx, { select: "+order_versions" }, { now: new Date() });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(
      result.steps.map((step) => step.assetKey),
      ["orders_snapshot", "order_versions"],
    );
    assert.deepEqual(await versions(), [
      { order_id: 1, versions: 1, current: true },
      { order_id: 2, versions: 1, current: true },
    ]);
    const statuses = await fixture.query(
      "select asset_key, partition_key, status from almanac.asset_partitions order by asset_key",
    );
    assert.deepEqual(statuses, [
      { asset_key: "order_versions", partition_key: "", status: "materialized" },
      { asset_key: "orders_snapshot", partition_key: "", status: "materialized" },
    ]);
  });

  it("a later run records new versions and deletions; the snapshot's tests run as its checks", async () => {
    await fixture.query(`update raw.orders set status = 'shipped', updated_at = '2024-01-02' where order_id = 1;
      delete from raw.orders where order_id = 2; insert into raw.orders values (3, 'lost', '2024-01-02')`);
    const result = await materializeSelection(fixture.ctx, { select: "+order_versions" }, { now: new Date() });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(await versions(), [
      { order_id: 1, versions: 2, current: true },
      { order_id: 2, versions: 1, current: false },
      { order_id: 3, versions: 1, current: true },
    ]);
    const checks = await fixture.query(
      "select check_name, status from almanac.asset_checks where asset_key = 'orders_snapshot' order by check_name",
    );
    assert.deepEqual(checks, [
      { check_name: "accepted_values_orders_snapshot_status__placed__shipped", status: "failed" },
      { check_name: "unique_orders_snapshot_dbt_scd_id", status: "passed" },
    ]);
  });

  it("a snapshot that fails writes nothing and is recorded failed", async () => {
    await fixture.query("alter table raw.orders rename column updated_at to changed_at");
    const before = await fixture.query("select count(*)::int as n from history.orders_snapshot");
    const result = await materializeSelection(fixture.ctx, { select: "orders_snapshot" }, { now: new Date() });
    assert.equal(result.status, "failed");
    assert.deepEqual(await fixture.query("select count(*)::int as n from history.orders_snapshot"), before);
    const [status] = await fixture.query(
      "select status from almanac.asset_partitions where asset_key = 'orders_snapshot'",
    );
    assert.equal(status?.status, "failed");
  });
});
