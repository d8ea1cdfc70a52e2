import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, examplesDir, freePort, repoRoot, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { bin, runAlmanac } from "./cli-fixture.js";

const projectDir = path.join(examplesDir, "nyc_taxi");

const almanac = runAlmanac;

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

describe("almanac serve/dev on a non-loopback address", () => {
  for (const command of ["serve", "dev"]) {
    test(`${command} with ALMANAC_HOST=0.0.0.0 and no token exits 2 with one line, starting nothing`, async () => {
      // No DATABASE_URL or REDIS_URL: the refusal comes before any embedded service would start.
      const home = path.join(repoRoot, ".almanac-test-unused", randomBytes(4).toString("hex"));
      const result = await almanac({ ALMANAC_HOST: "0.0.0.0", ALMANAC_HOME: home }, "--project", projectDir, command);
      assert.equal(result.code, 2, result.stderr);
      assert.deepEqual(lines(result.stderr).length, 1, result.stderr);
      assert.match(
        result.stderr,
        /^error \[ALMANAC_BAD_REQUEST\]: refusing to listen on 0\.0\.0\.0 without ALMANAC_API_TOKEN.*--insecure/,
      );
      assert.equal(result.stdout, "");
    });
  }

  test("ALMANAC_INSECURE must be 1, true, 0 or false", async () => {
    const result = await almanac({ ALMANAC_INSECURE: "maybe" }, "serve");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ALMANAC_INSECURE="maybe"/);
  });

  test("ALMANAC_API_TOKENS must be name:token pairs with unique names, beside ALMANAC_API_TOKEN", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ALMANAC_API_TOKENS: "loader:s3cret" }, /ALMANAC_API_TOKENS is set without ALMANAC_API_TOKEN/],
      [{ ALMANAC_API_TOKEN: "t", ALMANAC_API_TOKENS: "loader" }, /entry "loader:…" must be name:token/],
      [{ ALMANAC_API_TOKEN: "t", ALMANAC_API_TOKENS: "a:x,a:y" }, /names "a" twice/],
      [{ ALMANAC_API_TOKEN: "t", ALMANAC_API_TOKENS: "api:x" }, /api is ALMANAC_API_TOKEN's name/],
    ];
    for (const [env, message] of cases) {
      const result = await almanac(env, "serve");
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.includes("s3cret"), false);
    }
  });
});

describe("almanac serve --insecure / ALMANAC_INSECURE=1 on 0.0.0.0", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  for (const [name, args, extra] of [
    ["--insecure", ["serve", "--insecure"], {}],
    ["ALMANAC_INSECURE=1", ["serve"], { ALMANAC_INSECURE: "1" }],
  ] as const) {
    test(`${name} starts the server`, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [bin, ...args], {
        env: {
          PATH: process.env.PATH,
          NO_COLOR: "1",
          DATABASE_URL: db.url,
          REDIS_URL: process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
          ALMANAC_QUEUE_PREFIX: `almanac_sec_${randomBytes(5).toString("hex")}`,
          ALMANAC_PROJECT_DIR: projectDir,
          ALMANAC_HOST: "0.0.0.0",
          PORT: String(port),
          ...extra,
        },
        stdio: "ignore",
      });
      try {
        let status = 0;
        for (let i = 0; i < 200 && status !== 200; i++) {
          status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
            (res) => res.status,
            () => 0,
          );
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(status, 200);
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    });
  }
});

/** Injection strings a shell can pass (argv cannot hold NUL bytes); each command costs a process. */
const injectionStrings: readonly string[] = [
  "'; drop table almanac.runs; --",
  '" or 1=1 --',
  "$1",
  "../../etc/passwd",
  "%00",
  "key:with:colons",
  "dаily_metrics😀", // Cyrillic а
  "x".repeat(10_240),
];

describe("CLI flags with injection strings", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;

  /** The tables of almanac, raw and public, and the row count of each almanac table. */
  const snapshot = async () => {
    const { rows } = await pool.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
       where table_schema in ('almanac', 'raw', 'public') order by 1, 2`,
    );
    const counts: Record<string, number | "exists"> = {};
    for (const { schema, name } of rows) {
      const qualified = `"${schema}"."${name}"`;
      counts[qualified] =
        schema === "almanac"
          ? ((await pool.query<{ n: number }>(`select count(*)::int as n from ${qualified}`)).rows[0]?.n ?? 0)
          : "exists";
    }
    return counts;
  };

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // Dropping the database (with force) can reach a socket still closing after end().
    pool.on("error", () => undefined);
    env = { DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir };
    await generateTrips({ databaseUrl: db.url, from: "2024-01-01", to: "2024-01-03", rowsPerDay: 20 });
    assert.equal((await almanac(env, "migrate")).code, 0);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("materialize, compile, status and backfill exit 2 with one line and change nothing", async (t) => {
    const before = await snapshot();
    assert.equal(before['"raw"."trips"'], "exists");
    const commands = (v: string): string[][] => [
      ["materialize", v, "--partition", "2024-01-03"],
      ["materialize", "daily_metrics", "--partition", v],
      ["materialize", "daily_metrics", "--from", v, "--to", v],
      ["compile", v],
      ["compile", "daily_metrics", "--partition", v],
      ["status", v],
      ["status", "daily_metrics", "--from", v, "--to", v],
      ["backfill", v, "--from", "2024-01-01", "--to", "2024-01-03"],
      ["backfill", "daily_metrics", "--from", v, "--to", v],
    ];
    const all = injectionStrings.flatMap(commands);
    // A few at a time: each is a process with its own connections.
    for (let i = 0; i < all.length; i += 4) {
      await Promise.all(
        all.slice(i, i + 4).map(async (args) => {
          const result = await almanac(env, ...args);
          const shown = args.map((a) => a.slice(0, 40)).join(" ");
          assert.equal(result.code, 2, `${shown}: ${result.code} ${result.stderr.slice(0, 300)}`);
          assert.equal(lines(result.stderr).length, 1, `${shown}: ${result.stderr.slice(0, 500)}`);
          assert.match(result.stderr, /^error \[ALMANAC_[A-Z_]+\]: /, shown);
        }),
      );
    }
    t.diagnostic(`${all.length} CLI invocations with ${injectionStrings.length} injection strings`);
    assert.deepEqual(await snapshot(), before);
  });
});
