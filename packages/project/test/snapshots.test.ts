import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadProject, relationOf, renderModel, selectModels, snapshotSettings } from "@almanac/project";
import { fixture, fixtureVariant } from "./fixtures.js";

const target = { name: "dev", schema: "analytics", type: "postgres" as const };

async function loadFailure(files: Record<string, string>): Promise<{ code?: string; message: string }> {
  const variant = await fixtureVariant("snapshots", files);
  try {
    await loadProject(variant.dir);
  } catch (error) {
    return error as { code?: string; message: string };
  } finally {
    await variant.remove();
  }
  throw new Error("the project loaded");
}

const block = (config: string) =>
  `-- a snapshot\n{% snapshot orders_snapshot %}\n{{ config(${config}) }}\nselect * from {{ source('shop', 'orders') }}\n{% endsnapshot %}\n`;

describe("snapshots", () => {
  it("each {% snapshot %} block is an asset with materialization snapshot, in the DAG before the models that ref it", async () => {
    const project = await loadProject(fixture("snapshots"));
    const snapshot = project.models.get("orders_snapshot");
    assert.equal(snapshot?.config.materialized, "snapshot");
    assert.equal(snapshot?.path, "snapshots/orders_snapshot.sql");
    assert.deepEqual(snapshot?.sources, [["shop", "orders"]]);
    assert.equal(snapshot?.description, "Every version of every order.");
    assert.deepEqual(project.models.get("current_orders")?.refs, ["orders_snapshot"]);
    assert.deepEqual(selectModels(project, "+current_orders"), ["orders_snapshot", "current_orders"]);
    // Two blocks of one file are two snapshots.
    assert.ok(project.models.has("customers_history") && project.models.has("customer_tiers"));
    assert.deepEqual(
      project.tests.filter((test) => test.model === "orders_snapshot").map((test) => test.name),
      ["not_null_orders_snapshot_order_id", "unique_orders_snapshot_dbt_scd_id"],
    );
  });

  it("config comes from dbt_project.yml snapshots:, then config() in the block", async () => {
    const project = await loadProject(fixture("snapshots"));
    const config = (name: string) => {
      const model = project.models.get(name);
      assert.ok(model);
      return snapshotSettings(model.path, name, model.config);
    };
    assert.deepEqual(config("orders_snapshot"), {
      strategy: "timestamp",
      uniqueKey: "order_id",
      updatedAt: "updated_at",
      hardDeletes: "invalidate",
      columnNames: {
        dbt_scd_id: "dbt_scd_id",
        dbt_updated_at: "dbt_updated_at",
        dbt_valid_from: "dbt_valid_from",
        dbt_valid_to: "dbt_valid_to",
        dbt_is_deleted: "dbt_is_deleted",
      },
    });
    assert.equal(config("customers_history").strategy, "check");
    assert.equal(config("customers_history").checkCols, "all");
    assert.equal(config("customers_history").hardDeletes, "new_record");
    assert.deepEqual(config("customer_tiers").uniqueKey, ["customer_id", "tier"]);
    assert.deepEqual(config("customer_tiers").checkCols, ["tier"]);
  });

  it("target_schema is the schema as written; 1.9's schema goes through generate_schema_name", async () => {
    const project = await loadProject(fixture("snapshots"));
    assert.deepEqual(relationOf(project, "orders_snapshot", target), {
      schema: "history",
      identifier: "orders_snapshot",
    });
    assert.deepEqual(relationOf(project, "customer_tiers", target), {
      schema: "analytics_tiers",
      identifier: "customer_tiers",
    });
    const rendered = renderModel(project, "current_orders", { target, isIncremental: false });
    assert.match(rendered.sql, /from "history"\."orders_snapshot"/);
  });

  it("bad snapshots are refused at load with file:line", async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        "no unique_key",
        { "snapshots/orders_snapshot.sql": block("strategy='timestamp', updated_at='updated_at'") },
        /^snapshots\/orders_snapshot\.sql:3: snapshot "orders_snapshot" needs unique_key/,
      ],
      [
        "timestamp without updated_at",
        { "snapshots/orders_snapshot.sql": block("strategy='timestamp', unique_key='order_id'") },
        /^snapshots\/orders_snapshot\.sql:3: .* needs updated_at/,
      ],
      [
        "check without check_cols",
        { "snapshots/orders_snapshot.sql": block("strategy='check', unique_key='order_id'") },
        /^snapshots\/orders_snapshot\.sql:3: .*strategy='check', which needs check_cols/,
      ],
      [
        "unknown strategy",
        { "snapshots/orders_snapshot.sql": block("strategy='timestamps', unique_key='order_id'") },
        /^snapshots\/orders_snapshot\.sql:3: .*strategy="timestamps": use timestamp or check \(did you mean "timestamp"\?\)/,
      ],
      [
        "both hard delete settings",
        {
          "snapshots/orders_snapshot.sql": block(
            "strategy='check', check_cols='all', unique_key='order_id', hard_deletes='invalidate', invalidate_hard_deletes=True",
          ),
        },
        /sets both invalidate_hard_deletes and hard_deletes/,
      ],
      [
        "an unknown hard_deletes",
        {
          "snapshots/orders_snapshot.sql": block(
            "strategy='check', check_cols='all', unique_key='order_id', hard_deletes='delete'",
          ),
        },
        /hard_deletes="delete": use ignore, invalidate or new_record/,
      ],
      [
        "a partitioned snapshot",
        {
          "snapshots/orders_snapshot.sql": block(
            "strategy='check', check_cols='all', unique_key='order_id', partitions='daily'",
          ),
        },
        /^snapshots\/orders_snapshot\.sql:3: snapshot "orders_snapshot" sets partitions/,
      ],
      [
        "a block without its end",
        { "snapshots/orders_snapshot.sql": "\n{% snapshot orders_snapshot %}\nselect 1 as order_id\n" },
        /^snapshots\/orders_snapshot\.sql:2: snapshot "orders_snapshot" has no \{% endsnapshot %\}/,
      ],
      [
        "an error in the body names the file's line",
        {
          "snapshots/orders_snapshot.sql":
            "-- one\n\n{% snapshot orders_snapshot %}\n{{ config(strategy='check', check_cols='all', unique_key='id') }}\nselect {{ no_such_macro() }} as id\n{% endsnapshot %}\n",
        },
        /snapshots\/orders_snapshot\.sql:5/,
      ],
      [
        "a model with materialized snapshot",
        { "models/bad.sql": "{{ config(materialized='snapshot') }}\nselect 1 as id" },
        /^models\/bad\.sql: materialized="snapshot" is not a model's: write a \{% snapshot bad %\} block/,
      ],
      [
        "a snapshot named like a model",
        { "models/orders_snapshot.sql": "select 1 as id" },
        /snapshot "orders_snapshot" in snapshots\/orders_snapshot\.sql has the name of models\/orders_snapshot\.sql/,
      ],
    ];
    for (const [what, files, expected] of cases) {
      const error = await loadFailure(files);
      assert.match(error.message, expected, what);
      assert.ok(error.code?.startsWith("ALMANAC_"), what);
    }
  });
});
