import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { createTestDatabase } from "@almanac/testing";
import pg from "pg";
import { migrate, migrationsFolder } from "../src/index.js";

const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: unknown[];
};

async function inspect(url: string): Promise<{ applied: number; tables: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const applied = await client.query<{ n: number }>("select count(*)::int as n from almanac.__drizzle_migrations");
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'almanac' order by table_name",
    );
    return { applied: applied.rows[0]?.n ?? -1, tables: tables.rows.map((row) => row.table_name) };
  } finally {
    await client.end();
  }
}

const storeTables = [
  "__drizzle_migrations",
  "asset_checks",
  "asset_partitions",
  "automation_claims",
  "automation_updates",
  "backfills",
  "notification_outbox",
  "overdue_partitions",
  "run_events",
  "run_steps",
  "runs",
  "schedule_states",
  "schedule_ticks",
  "source_events",
];

test("migrationsFolder points at the committed migrations", () => {
  assert.ok(path.isAbsolute(migrationsFolder));
  assert.ok(existsSync(path.join(migrationsFolder, "meta", "_journal.json")));
  assert.ok(journal.entries.length > 0);
});

test("migrate on a migrated database is a no-op", async () => {
  const database = await createTestDatabase();
  after(() => database.drop());
  const before = await inspect(database.url);
  assert.equal(before.applied, journal.entries.length);
  await migrate(database.url);
  await migrate(database.url);
  assert.deepEqual(await inspect(database.url), before);
  assert.deepEqual(before.tables, storeTables);
});

test("4 processes migrating a fresh database at once apply the migrations exactly once", async () => {
  const database = await createTestDatabase({ template: "empty" });
  after(() => database.drop());
  await Promise.all([migrate(database.url), migrate(database.url), migrate(database.url), migrate(database.url)]);
  const state = await inspect(database.url);
  assert.equal(state.applied, journal.entries.length);
  assert.deepEqual(state.tables, storeTables);
});

test("the store lives in schema almanac only: nothing lands in public", async () => {
  const database = await createTestDatabase({ template: "empty" });
  after(() => database.drop());
  await migrate(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select table_name from information_schema.tables where table_schema = 'public'",
    );
    assert.deepEqual(rows, []);
    const drizzleSchema = await client.query("select 1 from information_schema.schemata where schema_name = 'drizzle'");
    assert.equal(drizzleSchema.rowCount, 0);
  } finally {
    await client.end();
  }
});
