import type { EngineContext } from "@almanac/engine";
import { loadProject, type Target } from "@almanac/project";
import pg from "pg";
import type { AlmanacEnv } from "./config.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { defaultPostgresSession, type PostgresSessionSettings, postgresStartupOptions } from "./postgres-session.js";

/** The pools and project a command works with; `close()` ends every connection. */
export interface Session {
  readonly ctx: EngineContext;
  readonly storeUrl: string;
  close(): Promise<void>;
}

/** Connection string of the store: `DATABASE_URL`, else the embedded Postgres (started on demand). */
export async function storeUrl(env: AlmanacEnv): Promise<string> {
  return env.databaseUrl ?? (await startEmbeddedPostgres(env.home));
}

/**
 * Opens the store and warehouse pools and loads the project. When both URLs name the same
 * database one pool serves both, and status commits in the data's transaction.
 */
export async function openSession(
  env: AlmanacEnv,
  projectDir: string,
  options: { poolSize?: number } = {},
): Promise<Session> {
  const project = await loadProject(projectDir, { envVarPrefixes: env.envVarPrefixes });
  const databaseUrl = await storeUrl(env);
  const warehouseUrl = env.warehouseUrl ?? databaseUrl;
  const sharedTransaction = sameDatabase(databaseUrl, warehouseUrl);
  const store = newPool(databaseUrl, options.poolSize, env.postgresSession);
  const warehouse = sharedTransaction ? store : newPool(warehouseUrl, options.poolSize, env.postgresSession);
  const target = targetOf(env, warehouseUrl);
  return {
    ctx: { project, target, store, warehouse, sharedTransaction, stepTimeoutMs: env.stepTimeoutMs },
    storeUrl: databaseUrl,
    close: async () => {
      await store.end();
      if (warehouse !== store) await warehouse.end();
    },
  };
}

/**
 * A pool of at most `size` connections (default 4: a CLI run uses one or two at a time). Every
 * pool Almanac opens is made here, so every session gets `session`'s keepalives and timeouts:
 * a client cut off mid-transaction is dropped by the server and its locks freed
 * (postgres-session.ts). The client sockets keep alive too, so a worker notices a dead server.
 */
export function newPool(
  connectionString: string,
  size = 4,
  session: PostgresSessionSettings = defaultPostgresSession,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: size,
    application_name: "almanac",
    options: postgresStartupOptions(session),
    keepAlive: true,
    keepAliveInitialDelayMillis: session.keepalivesIdleS * 1000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // Nor may a checked-out one (a step's transaction, a store transaction): pg-pool removes its
  // idle listener on checkout, and a client whose backend dies (pg_terminate_backend, a Postgres
  // restart) emits 'error' with no listener, which kills the process. Its queries still fail
  // (retryable), and release() drops the dead client from the pool.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

function sameDatabase(a: string, b: string): boolean {
  const key = (url: string) => {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}/${u.pathname.replace(/^\//, "")}`;
  };
  return a === b || key(a) === key(b);
}

/** dbt's `target`: name and schema from the environment, the database from the warehouse URL. */
export function targetOf(env: AlmanacEnv, warehouseUrl: string | undefined): Target {
  const target: Target = { name: env.targetName, schema: env.targetSchema, type: "postgres" };
  const database = warehouseUrl === undefined ? "" : decodeURIComponent(new URL(warehouseUrl).pathname.slice(1));
  return database === "" ? target : { ...target, database };
}
