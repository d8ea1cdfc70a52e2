import assert from "node:assert/strict";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type EngineContext, materializeSelection } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";

/**
 * What one step of a light partition sends to Postgres, counted statement by statement: each
 * round trip costs ~0.1 ms of system calls and latency, several times a trivial model's SQL
 * (docs/benchmarks.md, B2). The budgets are today's counts; a change that adds a round trip
 * per step has to raise them here, on purpose.
 */
const stepTransactionBudget = 8;
const runBookkeepingBudget = 8;

const now = new Date("2024-06-01T00:00:00Z");

/** A pool whose clients note the text of every statement they send. */
function countingPool(url: string, sent: string[]): pg.Pool {
  class CountingClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this only observes.
    override query(...args: any[]): any {
      const [first] = args;
      sent.push(typeof first === "string" ? first : String(first?.text ?? first));
      // biome-ignore lint/suspicious/noExplicitAny: forwarded as received.
      return (super.query as any)(...args);
    }
  }
  return new pg.Pool({ connectionString: url, max: 2, Client: CountingClient });
}

async function oneModelProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-round-trips-"));
  await mkdir(path.join(dir, "models"));
  await writeFile(
    path.join(dir, "dbt_project.yml"),
    'name: round_trips\nversion: "1.0.0"\nconfig-version: 2\nmodel-paths: ["models"]\n',
  );
  await writeFile(
    path.join(dir, "almanac.yml"),
    "partitions:\n  daily: { type: daily, start: 2024-01-01, timezone: UTC }\n" +
      'assets:\n  - select: "day_rows"\n    partitions: daily\n',
  );
  await writeFile(
    path.join(dir, "models/day_rows.sql"),
    "{{ config(materialized='incremental', event_time='date') }}\n" +
      "select '{{ var(\"min_date\") }}'::date as date, 1 as n\n",
  );
  return dir;
}

describe("round trips of one step", () => {
  let database: TestDatabase;
  let warehouse: pg.Pool;
  let store: pg.Pool;
  let ctx: EngineContext;
  const warehouseSent: string[] = [];
  const storeSent: string[] = [];

  before(async () => {
    database = await createTestDatabase();
    warehouse = countingPool(database.url, warehouseSent);
    store = countingPool(database.url, storeSent);
    ctx = {
      project: await loadProject(await oneModelProject()),
      target: { name: "test", schema: "public", type: "postgres" },
      warehouse,
      store,
      sharedTransaction: true,
    };
    // The first run creates the table (more statements, once); the counts are of the runs after.
    const first = await materializeSelection(
      ctx,
      { select: "day_rows", from: "2024-01-01", to: "2024-01-01" },
      { now },
    );
    assert.equal(first.status, "succeeded");
  });
  after(async () => {
    await warehouse.end();
    await store.end();
    await database.drop();
  });

  test("a light partition's step is one transaction of a few statements, its run a few more", async () => {
    warehouseSent.length = 0;
    storeSent.length = 0;
    const result = await materializeSelection(
      ctx,
      { select: "day_rows", from: "2024-01-02", to: "2024-01-02" },
      { now },
    );
    assert.equal(result.status, "succeeded");
    const stepSent = [...warehouseSent];
    const runSent = [...storeSent];
    const rows = await warehouse.query("select date::text from public.day_rows order by 1");
    assert.deepEqual(
      rows.rows.map((r) => r.date),
      ["2024-01-01", "2024-01-02"],
    );
    const listing = (sent: string[]) =>
      sent.map((text, i) => `${i + 1}. ${text.replace(/\s+/g, " ").slice(0, 120)}`).join("\n");
    // The step's own transaction, on the warehouse connection: begin … commit counted in.
    assert.equal(stepSent.filter((text) => /^\s*begin\b/i.test(text)).length, 1, listing(stepSent));
    assert.ok(
      stepSent.length <= stepTransactionBudget,
      `the step sent ${stepSent.length} statements, budget ${stepTransactionBudget}:\n${listing(stepSent)}`,
    );
    // Requesting, starting and finishing the run, and the write between steps.
    assert.ok(
      runSent.length <= runBookkeepingBudget,
      `the run's bookkeeping sent ${runSent.length} statements, budget ${runBookkeepingBudget}:\n${listing(runSent)}`,
    );
  });
});
