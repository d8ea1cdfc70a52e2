import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const examplesDir = path.join(repoRoot, "examples");

/** A database of its own, a pool on it, and an engine context over a project. */
export interface EngineFixture {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  ctx: EngineContext;
  /** Reloads the project (after a test edited its files). */
  reload(projectDir?: string): Promise<void>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function engineFixture(projectDir: string): Promise<EngineFixture> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on("error", () => undefined);
  const context = async (dir: string): Promise<EngineContext> => ({
    project: await loadProject(dir),
    target: { name: "test", schema: "public", type: "postgres" },
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  });
  const fixture: EngineFixture = {
    database,
    pool,
    ctx: await context(projectDir),
    async reload(dir = projectDir) {
      fixture.ctx = await context(dir);
    },
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
  return fixture;
}

/** A throwaway copy of an example project, for tests that edit its models. */
export async function copyProject(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `almanac-${name}-`));
  await cp(path.join(examplesDir, name), dir, {
    recursive: true,
    filter: (source) => !source.includes("node_modules"),
  });
  return dir;
}

/** Replaces text in a file of a copied project; fails loudly when the text is not there. */
export async function editFile(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}

/** A fingerprint of a table's full contents, in a stable order: equal fingerprints, equal tables. */
export async function tableFingerprint(pool: pg.Pool, relation: string, orderBy: string): Promise<string> {
  const { rows } = await pool.query<{ md5: string | null; n: string }>(
    `select md5(string_agg(t::text, E'\\n' order by ${orderBy})) as md5, count(*) as n from ${relation} t`,
  );
  return `${rows[0]?.n}:${rows[0]?.md5}`;
}

/** Rows in one query's result and not the other's, both ways (EXCEPT ALL): empty means equal. */
export async function symmetricDifference(pool: pg.Pool, a: string, b: string): Promise<unknown[]> {
  const { rows } = await pool.query(
    `(select 'only in first' as side, * from ((${a}) except all (${b})) x)
     union all
     (select 'only in second' as side, * from ((${b}) except all (${a})) y)`,
  );
  return rows;
}
