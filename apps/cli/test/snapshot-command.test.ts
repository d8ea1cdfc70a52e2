import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { runAlmanac } from "./cli-fixture.js";

const files: Record<string, string> = {
  "dbt_project.yml": "name: crm\n",
  "models/sources.yml": "version: 2\nsources:\n  - name: crm\n    schema: raw\n    tables: [{name: accounts}]\n",
  "models/account_count.sql":
    "select count(*)::int as n from {{ ref('accounts_snapshot') }} where dbt_valid_to is null",
  "snapshots/accounts.sql": [
    "{% snapshot accounts_snapshot %}",
    "{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols=['plan']) }}",
    "select id, plan from {{ source('crm', 'accounts') }}",
    "{% endsnapshot %}",
  ].join("\n"),
};

describe("almanac snapshot", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    dir = await mkdtemp(path.join(tmpdir(), "almanac-snapshot-cli-"));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    env = { DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: dir };
    await pool.query(`create schema raw; create table raw.accounts (id int, plan text);
      insert into raw.accounts values (1, 'free'), (2, 'pro')`);
  });
  after(async () => {
    await pool.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const history = async () =>
    (
      await pool.query(
        "select id, plan, dbt_valid_to is null as current from snapshots.accounts_snapshot order by id, dbt_valid_from",
      )
    ).rows;

  test("runs every snapshot and no model; a second run after a change records the new version", async () => {
    const first = await runAlmanac(env, "snapshot");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /run \S+: 1 steps/);
    assert.match(first.stdout, /succeeded: 1\/1 steps succeeded, 2 rows written/);
    assert.deepEqual(await history(), [
      { id: 1, plan: "free", current: true },
      { id: 2, plan: "pro", current: true },
    ]);
    const model = await pool.query("select to_regclass('public.account_count') as r");
    assert.equal(model.rows[0]?.r, null);

    await pool.query("update raw.accounts set plan = 'pro' where id = 1");
    const second = await runAlmanac(env, "snapshot", "accounts_snapshot");
    assert.equal(second.code, 0, second.stderr);
    // One version closed, one inserted.
    assert.match(second.stdout, /2 rows written/);
    assert.deepEqual(await history(), [
      { id: 1, plan: "free", current: false },
      { id: 1, plan: "pro", current: true },
      { id: 2, plan: "pro", current: true },
    ]);
  });

  test("a selection of models runs only the snapshots in it; one without snapshots is refused", async () => {
    const upstream = await runAlmanac(env, "snapshot", "+account_count");
    assert.equal(upstream.code, 0, upstream.stderr);
    assert.match(upstream.stdout, /1\/1 steps succeeded, 0 rows written/);
    const none = await runAlmanac(env, "snapshot", "account_count");
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /matches no model/);
  });

  test("a bad snapshot stops the load with file:line and writes nothing", async () => {
    const bad = path.join(dir, "snapshots/broken.sql");
    await writeFile(
      bad,
      "{% snapshot broken %}\n{{ config(unique_key='id', strategy='timestamp') }}\nselect 1 as id\n",
    );
    try {
      const result = await runAlmanac(env, "snapshot");
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /snapshots\/broken\.sql:1: snapshot "broken" has no \{% endsnapshot %\}/);
      assert.equal(result.stderr.includes("    at "), false, "no stack trace");
    } finally {
      await rm(bad);
    }
  });
});
