import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import { connectionOfPool } from "@almanac/warehouse";
import pg from "pg";
import { newPool } from "../src/connections.js";
import { defaultPostgresSession } from "../src/postgres-session.js";

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

// Issue 17: a worker cut off mid-step kept its transaction and partition locks for hours. Every
// pooled session must carry the keepalives and timeouts that let Postgres drop such a client.
test("every pooled session carries Almanac's keepalives and timeouts, the run_query connection too", async () => {
  const pool = newPool(database.url, 2, { ...defaultPostgresSession, idleInTransactionTimeoutMs: 1_500 });
  try {
    const show = async (name: string) => (await pool.query(`show ${name}`)).rows[0]?.[name];
    assert.equal(await show("tcp_keepalives_idle"), "10");
    assert.equal(await show("tcp_keepalives_interval"), "5");
    assert.equal(await show("tcp_keepalives_count"), "3");
    assert.equal(await show("tcp_user_timeout"), "30000");
    assert.equal(await show("client_connection_check_interval"), "10s");
    assert.equal(await show("idle_in_transaction_session_timeout"), "1500ms");
    assert.match(connectionOfPool(pool).options ?? "", /-c idle_in_transaction_session_timeout=1500/);
  } finally {
    await pool.end();
  }
});

test("the idle-in-transaction timeout ends an idle transaction but never a statement that runs longer", async () => {
  const pool = newPool(database.url, 2, { ...defaultPostgresSession, idleInTransactionTimeoutMs: 1_000 });
  try {
    const client = await pool.connect();
    await client.query("begin");
    // A statement three times the timeout: running is not idle.
    await client.query("select pg_sleep(3)");
    await client.query("commit");
    await client.query("begin");
    await sleep(2_000);
    await assert.rejects(client.query("select 1"), /idle-in-transaction|terminat|not queryable/);
    client.release(true);
  } finally {
    await pool.end();
  }
});
