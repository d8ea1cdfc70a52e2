import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { newPool } from "../src/connections.js";

// Regression (found by the fault suite's pg_terminate_backend scenario): a pooled client checked
// out for a transaction whose backend was terminated emitted 'error' with no listener, and the
// worker and server processes died with "Connection terminated unexpectedly".
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test("a checked-out client whose backend is terminated fails its queries but does not crash the process", async () => {
  const pool = newPool(database.url, 2);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    // Not events.once: it rejects on the very "error" event under test.
    const ended = new Promise((resolve) => client.once("end", resolve));
    await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
    await ended;
    await assert.rejects(client.query("select 1"), /not queryable|terminated/);
    client.release(true);
    // The pool goes on with a fresh connection.
    assert.deepEqual((await pool.query("select 1 as one")).rows, [{ one: 1 }]);
  } finally {
    await admin.end();
    await pool.end();
  }
});
