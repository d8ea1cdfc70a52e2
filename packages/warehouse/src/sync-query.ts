import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { AlmanacError } from "@almanac/errors";
import type pg from "pg";

/** One result of a synchronous query: column names and rows as arrays of values. */
export interface SyncQueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Runs SQL and waits for the answer, for the synchronous template renderer (`run_query`). */
export interface SyncQuery {
  query(sql: string): SyncQueryResult;
}

/** The connection settings a worker can receive (plain values only: they are copied to the thread). */
export interface SyncQueryConnection {
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** libpq startup options (`-c name=value …`): the pool's session settings, keepalives among them. */
  readonly options?: string;
}

/** The settings of `pool` that can cross to a worker thread (a password given as a function cannot). */
export function connectionOfPool(pool: pg.Pool): SyncQueryConnection {
  const options = pool.options;
  const plain = <T>(value: T) => (typeof value === "string" || typeof value === "number" ? value : undefined);
  const settings = {
    connectionString: plain(options.connectionString),
    host: plain(options.host),
    port: plain(options.port),
    user: plain(options.user),
    password: plain(options.password),
    database: plain(options.database),
    options: plain(options.options),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as SyncQueryConnection;
}

/** Default wait for one `run_query` before giving up: 5 minutes. */
const defaultTimeoutMs = 300_000;

// The worker runs plain CommonJS (no TypeScript loader needed in either the built or the
// source setup) and loads pg from the path this package resolves. Values come back as JSON:
// integers and floats as numbers, booleans as booleans, everything else (numeric, date,
// timestamp…) as Postgres's text, which is what the template prints anyway.
const workerSource = `
const { workerData } = require("node:worker_threads");
const { port, signal } = workerData;
const flag = new Int32Array(signal);
const asNumber = new Set([20, 21, 23, 26, 700, 701]);
const types = { getTypeParser: (oid) => (asNumber.has(oid) ? Number : oid === 16 ? (v) => v === "t" : (v) => v) };
let client;
let connected;
try {
  const pg = require(workerData.pgPath);
  client = new pg.Client({ ...workerData.config, application_name: "almanac run_query" });
  client.on("error", () => undefined);
  connected = client.connect();
} catch (error) {
  connected = Promise.reject(error);
}
connected.catch(() => undefined);
function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
port.on("message", async (sql) => {
  try {
    await connected;
    const result = await client.query({ text: sql, rowMode: "array", types });
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    reply({ columns: (last.fields || []).map((f) => f.name), rows: last.rows || [] });
  } catch (error) {
    reply({ error: { message: String(error && error.message), code: error && error.code } });
  }
});
port.on("close", () => client && client.end().catch(() => undefined));
`;

/**
 * A connection in a worker thread that the rendering thread queries synchronously: it posts
 * the SQL, blocks on `Atomics.wait` until the worker has the rows, and takes them with
 * `receiveMessageOnPort` (the pattern of the `synckit` package). nunjucks renders templates
 * synchronously and dbt's `run_query` is an expression, so the answer must be there before the
 * template goes on. The worker starts on the first query; `close()` ends it.
 *
 * The worker has its own connection: it sees committed data (as a READ COMMITTED step
 * transaction would), not the caller's uncommitted writes.
 */
export class WorkerSyncQuery implements SyncQuery {
  readonly #config: SyncQueryConnection;
  readonly #timeoutMs: number;
  #worker: Worker | undefined;
  #port: MessageChannel["port1"] | undefined;
  readonly #flag = new Int32Array(new SharedArrayBuffer(4));

  /**
   * @param connection - a connection string, or the connection settings of a pool
   * @param timeoutMs - longest wait for one query; default 300 000.
   */
  constructor(connection: string | SyncQueryConnection, timeoutMs = defaultTimeoutMs) {
    this.#config = typeof connection === "string" ? { connectionString: connection } : connection;
    this.#timeoutMs = timeoutMs;
  }

  query(sql: string): SyncQueryResult {
    const port = this.#start();
    Atomics.store(this.#flag, 0, 0);
    port.postMessage(sql);
    const outcome = Atomics.wait(this.#flag, 0, 0, this.#timeoutMs);
    const received = receiveMessageOnPort(port)?.message as
      | (SyncQueryResult & { error?: undefined })
      | { error: { message: string; code?: string } }
      | undefined;
    if (outcome === "timed-out" || received === undefined) {
      this.close();
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `run_query gave no answer within ${this.#timeoutMs} ms`, {
        sql,
      });
    }
    if (received.error !== undefined) {
      const code = received.error.code ? ` (SQLSTATE ${received.error.code})` : "";
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `run_query failed: ${received.error.message}${code}`, {
        sql,
        sqlState: received.error.code,
      });
    }
    return received;
  }

  #start(): MessageChannel["port1"] {
    if (this.#port !== undefined) return this.#port;
    const { port1, port2 } = new MessageChannel();
    const pgPath = createRequire(import.meta.url).resolve("pg");
    this.#worker = new Worker(workerSource, {
      eval: true,
      workerData: { port: port2, signal: this.#flag.buffer, config: this.#config, pgPath },
      transferList: [port2],
    });
    // The worker must not keep the process alive, nor crash it when its connection fails.
    this.#worker.unref();
    this.#worker.on("error", () => undefined);
    this.#port = port1;
    return port1;
  }

  /** Ends the worker and its connection; the next query starts a new one. */
  close(): void {
    this.#port?.close();
    void this.#worker?.terminate();
    this.#port = undefined;
    this.#worker = undefined;
  }
}
