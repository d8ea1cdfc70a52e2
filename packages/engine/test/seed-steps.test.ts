import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { executeBackfill, materializeSelection, requestBackfill } from "@almanac/engine";
import { writeProject } from "@almanac/testing";
import { type EngineFixture, engineFixture } from "./engine-fixture.js";

/** A shop whose orders read a seed of stores, one daily model, and a test on the seed. */
const files: Record<string, string> = {
  "dbt_project.yml": [
    "name: seed_shop",
    "seeds:",
    "  seed_shop:",
    "    +schema: raw",
    "    raw_stores:",
    "      +column_types: { store_id: bigint }",
  ].join("\n"),
  "almanac.yml": [
    "partitions:",
    "  daily: { type: daily, start: 2024-01-01, timezone: UTC, end_offset: 0 }",
    "assets:",
    '  - select: "daily_sales"',
    "    partitions: daily",
  ].join("\n"),
  "seeds/raw_stores.csv": "store_id,city\n1,Lyon\n2,Oslo\n3,Lima\n",
  "seeds/raw_regions.csv": "region\nnorth\nsouth\n",
  "seeds/properties.yml": [
    "version: 2",
    "seeds:",
    "  - name: raw_stores",
    "    columns:",
    "      - name: store_id",
    "        data_tests: [unique]",
  ].join("\n"),
  "models/stores.sql":
    "{{ config(materialized='table') }} select store_id, upper(city) as city from {{ ref('raw_stores') }}",
  "models/daily_sales.sql": [
    "{{ config(materialized='incremental', event_time='day', unique_key='day') }}",
    "select d::date as day, count(*) as stores",
    "from generate_series('{{ var('min_date') }}'::timestamp, '{{ var('max_date') }}'::timestamp - interval '1 day', interval '1 day') d",
    "cross join {{ ref('stores') }}",
    "group by 1",
  ].join("\n"),
};

describe("seeds as steps of a run", () => {
  let dir: string;
  let fixture: EngineFixture;
  const now = new Date("2024-02-01T00:00:00Z");

  before(async () => {
    dir = await writeProject("seed-steps", files);
    fixture = await engineFixture(dir);
  });
  after(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stepsOf = (result: { steps: readonly { assetKey: string; materialized: string; status: string }[] }) =>
    result.steps.map((step) => `${step.assetKey}:${step.materialized}:${step.status}`);

  it("a model alone does not load its seeds", async () => {
    const result = await materializeSelection(fixture.ctx, { select: "stores" }, { now });
    assert.equal(result.status, "failed", "stores reads a seed that was never loaded");
    assert.deepEqual(stepsOf(result), ["stores:table:failed"]);
  });

  it("+stores loads the seed it reads first, with the seed's schema and column types, then builds stores", async () => {
    const result = await materializeSelection(fixture.ctx, { select: "+stores" }, { now });
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps));
    assert.deepEqual(stepsOf(result), ["raw_stores:seed:succeeded", "stores:table:succeeded"]);
    assert.equal(result.steps[0]?.rowsWritten, 3);
    const [column] = await fixture.query<{ data_type: string }>(
      "select data_type from information_schema.columns where table_schema = 'public_raw' and table_name = 'raw_stores' and column_name = 'store_id'",
    );
    assert.equal(column?.data_type, "bigint");
    assert.deepEqual(await fixture.query("select city from public.stores order by store_id"), [
      { city: "LYON" },
      { city: "OSLO" },
      { city: "LIMA" },
    ]);
    // A seed has no partitions: the run's steps say it loaded, no partition status is kept.
    const statuses = await fixture.query("select 1 from almanac.asset_partitions where asset_key = 'raw_stores'");
    assert.equal(statuses.length, 0);
    const [event] = await fixture.query<{ message: string }>(
      "select message from almanac.run_events where run_id = $1 and message like 'seed raw_stores:%'",
      [result.runId],
    );
    assert.match(event?.message ?? "", /^seed raw_stores: 3 rows loaded into "public_raw"\."raw_stores" \(\d+ ms\)$/);
  });

  it("a seed's name selects the seed alone; a tag of no node is an empty selection", async () => {
    const result = await materializeSelection(fixture.ctx, { select: "raw_regions" }, { now });
    assert.deepEqual(stepsOf(result), ["raw_regions:seed:succeeded"]);
    await assert.rejects(materializeSelection(fixture.ctx, { select: "tag:nightly" }, { now }), {
      code: "ALMANAC_EMPTY_SELECTION",
      message: 'selector "tag:nightly" matches no model or seed',
    });
  });

  it("a seed's tests run as checks of its step", async () => {
    await writeFile(path.join(dir, "seeds/raw_stores.csv"), "store_id,city\n1,Lyon\n1,Oslo\n");
    await fixture.reload();
    const result = await materializeSelection(fixture.ctx, { select: "raw_stores" }, { now });
    assert.equal(result.status, "succeeded");
    const [check] = await fixture.query<{ message: string }>(
      "select message from almanac.run_events where run_id = $1 and level = 'error'",
      [result.runId],
    );
    assert.match(check?.message ?? "", /^check unique_raw_stores_store_id failed on raw_stores: 1 failing rows$/);
  });

  it("a seed that fails to load skips the models that read it and changes no table", async () => {
    await writeFile(path.join(dir, "seeds/raw_stores.csv"), "store_id,city\n1,Lyon\nnot a number,Oslo\n");
    await fixture.reload();
    const before = await fixture.query("select * from public_raw.raw_stores order by store_id");
    const result = await materializeSelection(fixture.ctx, { select: "+stores" }, { now });
    assert.equal(result.status, "failed");
    assert.deepEqual(stepsOf(result), ["raw_stores:seed:failed", "stores:table:skipped"]);
    assert.equal(result.steps[0]?.errorCode, "ALMANAC_BAD_SEED");
    assert.match(result.steps[0]?.errorMessage ?? "", /^raw_stores: seeds\/raw_stores\.csv: /);
    assert.equal(result.steps[1]?.errorCode, "ALMANAC_UPSTREAM_FAILED");
    assert.deepEqual(await fixture.query("select * from public_raw.raw_stores order by store_id"), before);
  });

  it("a backfill loads a seed once, in the first wave, not once per partition", async () => {
    await writeFile(path.join(dir, "seeds/raw_stores.csv"), "store_id,city\n1,Lyon\n2,Oslo\n");
    await fixture.reload();
    const recorded = await requestBackfill(
      fixture.ctx,
      { select: "+daily_sales", from: "2024-01-01", to: "2024-01-03" },
      { now },
    );
    const progress = await executeBackfill(fixture.ctx, recorded.backfillId);
    assert.equal(progress.status, "completed", JSON.stringify(progress));
    // Three days of daily_sales, stores once, the seed's load once.
    assert.equal(progress.counts.total, 5);
    const steps = await fixture.query<{ step: string }>(
      `select s.asset_key || coalesce(' ' || r.partition_from, '') as step
         from almanac.run_steps s join almanac.runs r on r.id = s.run_id
        where r.backfill_id = $1 order by r.partition_from nulls first, s.idx`,
      [recorded.backfillId],
    );
    // The seed and the unpartitioned model they read run once, before the partition runs.
    assert.deepEqual(
      steps.map((row) => row.step),
      ["raw_stores", "stores", "daily_sales 2024-01-01", "daily_sales 2024-01-02", "daily_sales 2024-01-03"],
    );
    assert.deepEqual(await fixture.query("select day::text, stores::int from public.daily_sales order by day"), [
      { day: "2024-01-01", stores: 2 },
      { day: "2024-01-02", stores: 2 },
      { day: "2024-01-03", stores: 2 },
    ]);
  });
});
