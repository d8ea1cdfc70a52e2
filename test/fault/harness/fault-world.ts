import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { copyProject, createTestDatabase, editFile, freePort, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { generateTrips } from "../../../examples/nyc_taxi/scripts/load-trips.js";
import { type AlmanacProcess, spawnAlmanac, tail, waitForHealth } from "./almanac-process.js";
import type { NetworkHost } from "./network-hosts.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

/** The days every scenario backfills unless it says otherwise, and the trips loaded for them. */
export const defaultDays = { from: "2024-01-01", to: "2024-01-10", rowsPerDay: 300 } as const;
/** Every model of the example: staging views, the two partitioned marts, the summary table. */
export const everyModel = "+tag:daily+";

export interface FaultWorldOptions {
  /** Edits the throwaway copy of examples/nyc_taxi (slow or broken models). */
  readonly editProject?: (projectDir: string) => Promise<void>;
  readonly days?: { from: string; to: string; rowsPerDay: number };
  /** Redis with AOF (`appendfsync always`) or without any persistence. Default: AOF on. */
  readonly aof?: boolean;
  /** A database made elsewhere (a private Postgres cluster); default: a clone of the test template. */
  readonly database?: TestDatabase;
  /** Extra environment for every process. */
  readonly env?: Record<string, string>;
  /** Addresses Redis listens on besides 127.0.0.1 (network hosts' links). */
  readonly redisBind?: readonly string[];
}

/** Where a worker runs: by default the test's own network namespace. */
export interface WorkerPlacement {
  /** A network host (network-hosts.ts): the worker runs in its namespace and reaches the services through its links. */
  readonly host?: NetworkHost;
}

/**
 * One scenario's world: its own database (trips loaded), a copy of the example project, a
 * `redis-server` of its own, and `almanac serve` / `almanac worker` processes it starts, kills
 * and restarts. The reconciler runs every second (`ALMANAC_RECONCILE_INTERVAL_MS`) so that
 * recovery is quick to observe; the stale-run bound stays at 30 s, three run heartbeats.
 */
export interface FaultWorld {
  readonly database: TestDatabase;
  readonly db: pg.Pool;
  readonly redis: TestRedis;
  readonly projectDir: string;
  readonly prefix: string;
  readonly days: { from: string; to: string; rowsPerDay: number };
  /** The environment every process gets (before per-process additions). */
  readonly env: Record<string, string>;
  readonly base: string;
  /** Starts `almanac serve` and waits for `/api/health`. */
  startServer(env?: Record<string, string>): Promise<AlmanacProcess>;
  /** Starts an `almanac worker` (not waited for: it logs "worker ready" when connected). */
  startWorker(env?: Record<string, string>, placement?: WorkerPlacement): AlmanacProcess;
  /** Every process started so far (dead ones included). */
  readonly processes: readonly AlmanacProcess[];
  /** A JSON request to the server with the operator token. */
  api<T = Record<string, unknown>>(method: "GET" | "POST", path: string, body?: unknown): Promise<ApiReply<T>>;
  /** `POST /api/backfills` over the world's days; returns the backfill id. */
  backfill(body?: Record<string, unknown>): Promise<string>;
  /** Polls `check` until it returns a value other than undefined/false; fails after `timeoutMs` with the processes' logs. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  /** Waits until the backfill is no longer `requested`/`running`; returns its final JSON. */
  waitForBackfill(backfillId: string, timeoutMs?: number): Promise<BackfillJson>;
  /** Tails of every process's output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

export interface ApiReply<T> {
  readonly status: number;
  readonly body: T;
}

export interface BackfillJson {
  readonly id: string;
  readonly status: string;
  readonly counts: Record<string, number>;
  readonly runs: Record<string, number>;
}

const token = "fault-suite-token";

export async function startFaultWorld(options: FaultWorldOptions = {}): Promise<FaultWorld> {
  const days = options.days ?? defaultDays;
  const database = options.database ?? (await createTestDatabase());
  await generateTrips({ databaseUrl: database.url, from: days.from, to: days.to, rowsPerDay: days.rowsPerDay });
  const db = new pg.Pool({ connectionString: database.url, max: 3 });
  // A test that restarts Postgres or terminates backends sees its own idle connections drop.
  db.on("error", () => undefined);
  const projectDir = await copyProject("nyc_taxi");
  await options.editProject?.(projectDir);
  const redis = await startTestRedis({ aof: options.aof ?? true, bind: options.redisBind });
  const prefix = `almanac_fault_${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    ALMANAC_QUEUE_PREFIX: prefix,
    ALMANAC_PROJECT_DIR: projectDir,
    ALMANAC_API_TOKEN: token,
    ALMANAC_WORKER_CONCURRENCY: "2",
    ALMANAC_RECONCILE_INTERVAL_MS: "1000",
    ALMANAC_STALE_RUN_MS: "30000",
    // Catch-up would fire the example's nightly schedule for recent days; scenario 8 turns it on.
    ALMANAC_SCHEDULE_CATCHUP_DAYS: "0",
    PORT: String(port),
    ...options.env,
  };
  const processes: AlmanacProcess[] = [];
  let serial = 0;
  const logs = () =>
    processes
      .map((p) => {
        const state = p.running ? "" : ` (exited: code ${p.child.exitCode}, signal ${p.child.signalCode})`;
        return `----- ${p.name}${state} -----\n${tail(p.output(), 25)}`;
      })
      .join("\n");

  const world: FaultWorld = {
    database,
    db,
    redis,
    projectDir,
    prefix,
    days,
    env,
    base,
    processes,
    async startServer(extra = {}) {
      const server = spawnAlmanac(`serve#${++serial}`, "serve", { ...env, ...extra });
      processes.push(server);
      await waitForHealth(base, server);
      return server;
    },
    startWorker(extra = {}, placement = {}) {
      const { host } = placement;
      const through = host && {
        DATABASE_URL: withHost(database.url, host.postgresAddress),
        REDIS_URL: withHost(redis.url, host.redisAddress),
      };
      const name = `worker#${++serial}${host ? `@${host.namespace}` : ""}`;
      const worker = spawnAlmanac(name, "worker", { ...env, ...through, ...extra }, host?.exec);
      processes.push(worker);
      return worker;
    },
    async api<T>(method: "GET" | "POST", path: string, body?: unknown) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async backfill(body = {}) {
      const reply = await world.api<{ backfillId: string }>("POST", "/api/backfills", {
        select: everyModel,
        from: days.from,
        to: days.to,
        ...body,
      });
      if (reply.status !== 202) throw new Error(`backfill refused: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.backfillId;
    },
    async waitFor(what, check, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      while (Date.now() < deadline) {
        // A process that died on its own is a failed scenario: say so now, not at the timeout.
        const crashed = processes.find((p) => !p.running && !p.stopRequested);
        if (crashed) throw new Error(`${crashed.name} exited on its own while waiting for ${what}\n${logs()}`);
        try {
          const value = await check();
          if (value !== undefined && value !== false) return value as never;
        } catch (error) {
          // The server or Postgres may be down on purpose right now; keep polling.
          lastError = error;
        }
        await sleep(200);
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last error: ${lastError})\n${logs()}`);
    },
    waitForBackfill(backfillId, timeoutMs) {
      return world.waitFor(
        `backfill ${backfillId} to finish`,
        async () => {
          const reply = await world.api<BackfillJson>("GET", `/api/backfills/${backfillId}`);
          return reply.status === 200 && !["requested", "running"].includes(reply.body.status) && reply.body;
        },
        timeoutMs,
      );
    },
    logs,
    async close() {
      await Promise.all(processes.map((p) => p.stop("SIGKILL")));
      await db.end().catch(() => undefined);
      await redis.close();
      if (!options.database) await database.drop();
      await rm(projectDir, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * `url` with its host, and port if given, replaced (a network host reaches the services at its
 * links' addresses, or through a delay proxy's port there).
 */
export function withHost(url: string, host: string, port?: number): string {
  const u = new URL(url);
  u.hostname = host;
  if (port !== undefined) u.port = String(port);
  return u.toString();
}

/**
 * Makes `daily_metrics` take `seconds` per partition inside its SQL (a `pg_sleep` joined in),
 * so a fault can land while a partition's statement runs. The rows it writes do not change.
 */
export async function slowDailyMetrics(projectDir: string, seconds: number): Promise<void> {
  await editFile(
    `${projectDir}/models/marts/daily_metrics.sql`,
    "from {{ ref('stg_trips') }}",
    `from {{ ref('stg_trips') }} cross join (select pg_sleep(${seconds})) as pause`,
  );
}

/** Backends of this database running a `pg_sleep` right now: a partition's SQL in flight. */
export async function sleepingBackends(db: pg.Pool, database: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity
     where datname = $1 and state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Seconds since `startedAt` (a `performance.now()`), to one decimal. */
export function secondsSince(startedAt: number): string {
  return ((performance.now() - startedAt) / 1000).toFixed(1);
}

/** When a fault was injected, by the test's clock and by Postgres's. */
export interface FaultMark {
  readonly at: number;
  readonly dbTime: Date;
}

/** Marks the moment of a fault; call it right before injecting it (Postgres must be up). */
export async function markFault(world: FaultWorld): Promise<FaultMark> {
  const { rows } = await world.db.query<{ now: Date }>("select clock_timestamp() as now");
  return { at: performance.now(), dbTime: rows[0]?.now ?? new Date() };
}

/**
 * Prints the line the suite's readers and docs/reliability.md look for, once the work is done:
 * `recovery: <scenario> <stall> s` where the stall is the longest time after the fault during
 * which no asset partition committed (its `materialized_at`, the committing transaction's start)
 * — how long the system stood still — and, for scale, the time from the fault to the end.
 */
export async function reportRecovery(world: FaultWorld, scenario: string, fault: FaultMark): Promise<string> {
  const total = secondsSince(fault.at);
  const { rows } = await world.db.query<{ stall: number | null }>(
    `with commits as (
       select $1::timestamptz as at
       union all
       select materialized_at from almanac.asset_partitions where materialized_at >= $1::timestamptz
     )
     select max(gap) as stall from (
       select extract(epoch from at - lag(at) over (order by at))::float8 as gap from commits
     ) gaps`,
    [fault.dbTime],
  );
  const stall = (rows[0]?.stall ?? 0).toFixed(1);
  console.log(`recovery: ${scenario} ${stall} s longest stall (${total} s from the fault to the end of the backfill)`);
  return stall;
}

/**
 * Waits until the backfill is under way: at least `done` daily_metrics partitions committed and
 * a partition's SQL running (a `pg_sleep` of `slowDailyMetrics` in flight).
 */
export function midBackfill(world: FaultWorld, done = 1): Promise<true> {
  return world.waitFor(`${done} partition(s) committed and another one's SQL running`, async () => {
    const { rows } = await world.db.query<{ n: number }>(
      "select count(*)::int as n from almanac.asset_partitions where asset_key = 'daily_metrics' and status = 'materialized'",
    );
    return (rows[0]?.n ?? 0) >= done && (await sleepingBackends(world.db, world.database.name)) >= 1;
  });
}

/** Fails unless every process the world started and did not stop is still running, with their logs. */
export function assertAllRunning(world: FaultWorld): void {
  const dead = world.processes.filter((p) => !p.running && !p.stopRequested);
  if (dead.length > 0) {
    throw new Error(`${dead.map((p) => p.name).join(", ")} exited on its own\n${world.logs()}`);
  }
}
