import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { migrate, migrationsFolder } from "@almanac/store";
import pg from "pg";

/**
 * Server the tests use: the local Postgres (trust auth) unless ALMANAC_TEST_DATABASE_URL
 * points elsewhere. Any database on it works; tests create their own next to it.
 */
export const adminUrl = process.env.ALMANAC_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const templateName = "almanac_test_template";
// Any constant works: it only has to be the same for every test process.
const templateLockKey = 7_401_882_311;

export interface TestDatabase {
  /** Connection string of the new database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** `migrated` (default): a clone of a template with the store migrations applied; `empty`: a bare database. */
  readonly template?: "migrated" | "empty";
}

/** A database of its own for one test file: cloned from a migrated template, dropped by `drop()`. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `almanac_t_${randomBytes(6).toString("hex")}`;
  await withAdmin(async (admin) => {
    if ((options.template ?? "migrated") === "migrated") {
      await cloneTemplate(admin, name);
    } else {
      await admin.query(`create database "${name}"`);
    }
  });
  const url = databaseUrl(name);
  return {
    url,
    name,
    drop: () =>
      withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`).then(() => undefined)),
  };
}

/** `adminUrl` with its database replaced. */
export function databaseUrl(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Clones the template into `name`, (re)building it first when the migrations changed. Test
 * files run in parallel processes, so the check, build and clone are serialized by an advisory
 * lock; the migrations' hash is kept as the template's comment. The clone happens under the
 * lock too: two checkouts with different migrations (git worktrees) share this server, and one
 * rebuilding the template must not drop it under the other's clone.
 */
async function cloneTemplate(admin: pg.Client, name: string): Promise<void> {
  const hash = await migrationsHash();
  await admin.query("select pg_advisory_lock($1)", [templateLockKey]);
  try {
    const { rows } = await admin.query<{ comment: string | null }>(
      "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
      [templateName],
    );
    if (rows[0]?.comment !== hash) {
      await admin.query(`drop database if exists "${templateName}" with (force)`);
      await admin.query(`create database "${templateName}"`);
      await migrate(databaseUrl(templateName));
      await admin.query(`comment on database "${templateName}" is '${hash}'`);
    }
    await admin.query(`create database "${name}" template "${templateName}"`);
  } finally {
    await admin.query("select pg_advisory_unlock($1)", [templateLockKey]);
  }
}

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = (await readdir(migrationsFolder, { recursive: true })).map(String).sort();
  for (const file of files.filter((f) => f.endsWith(".sql") || f.endsWith(".json"))) {
    hash.update(file).update(await readFile(path.join(migrationsFolder, file)));
  }
  return hash.digest("hex").slice(0, 32);
}
