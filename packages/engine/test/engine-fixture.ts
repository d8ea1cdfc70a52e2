import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";

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
