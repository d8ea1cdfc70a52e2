import { type QueueLogger, silentLogger } from "./queue-logger.js";
import { connectRedis, type RedisConnection } from "./redis-target.js";
import type { QueueSettings } from "./types.js";

/** How long a producer waits for Redis to accept a connection before calling it unreachable. */
export const producerConnectTimeoutMs = 2_000;
/** A producer command without a reply after this long fails: a hung server must not hang an HTTP request. */
const producerCommandTimeoutMs = 5_000;

/**
 * A Redis connection for code that adds jobs (the API server, schedules, the reconciler). It
 * fails fast instead of queueing commands while Redis is away: a request that enqueues a run
 * should answer "Redis is down" within seconds, not hang — the run is recorded in Postgres
 * already and the reconciler enqueues it once Redis is back (DESIGN §3.5). It keeps
 * reconnecting in the background. Options: `maxRetriesPerRequest: 1`,
 * `enableOfflineQueue: false`, `connectTimeout` 2 s, `commandTimeout` 5 s.
 */
export function producerConnection(settings: QueueSettings, logger: QueueLogger = silentLogger): RedisConnection {
  const connection = connectRedis(settings.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: producerConnectTimeoutMs,
    commandTimeout: producerCommandTimeoutMs,
  });
  logConnectionErrors(connection, logger, { redis: redactedRedisUrl(settings.redisUrl), connection: "producer" });
  return connection;
}

export interface WorkerConnectionOptions {
  /**
   * Once aborted, a lost connection is not re-established: it ends, and commands waiting for
   * it fail. A closing worker aborts it so that a dead Redis cannot keep its shutdown (and the
   * process) waiting forever on commands that wait for a reconnect.
   */
  readonly stopReconnecting?: AbortSignal;
}

/**
 * A Redis connection for a BullMQ `Worker`, which requires `maxRetriesPerRequest: null`: its
 * blocking fetch and lock renewals must wait out a Redis restart rather than fail the job. The
 * worker sends its commands on it and duplicates it (options included) for its blocking fetch;
 * it does not close it — its owner does, after `worker.close()`. Created with `lazyConnect`, so
 * nothing connects before the worker starts. Reconnects back off exponentially from 50 ms to
 * 5 s, with jitter.
 */
export function workerConnection(
  settings: QueueSettings,
  logger: QueueLogger = silentLogger,
  options: WorkerConnectionOptions = {},
): RedisConnection {
  const { stopReconnecting } = options;
  const connection = connectRedis(settings.redisUrl, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    retryStrategy: (times) =>
      stopReconnecting?.aborted ? null : Math.min(50 * 2 ** (times - 1), 5_000) + Math.floor(Math.random() * 200),
  });
  logConnectionErrors(connection, logger, { redis: redactedRedisUrl(settings.redisUrl), connection: "worker" });
  return connection;
}

/** Reports errors once per distinct message until the connection is healthy again. */
export interface DistinctErrorLog {
  report(error: Error): void;
  /** Forget what was reported (the connection is back); says so if something had gone wrong. */
  reset(): void;
}

/**
 * A reconnecting client raises the same error every few seconds while Redis is down; logging
 * each would bury everything else. The first occurrence of each message is logged at `error`,
 * as `<what>: <message>`; `what` defaults to "Redis connection error".
 */
export function distinctErrorLog(
  logger: QueueLogger,
  fields: Record<string, unknown>,
  what = "Redis connection error",
): DistinctErrorLog {
  const seen = new Set<string>();
  return {
    report(error) {
      if (seen.has(error.message)) return;
      seen.add(error.message);
      logger.error({ ...fields, err: error }, `${what}: ${error.message}`);
    },
    reset() {
      if (seen.size > 0) logger.info(fields, "Redis connection restored");
      seen.clear();
    },
  };
}

/**
 * Gives a connection an `error` listener — without one, Node throws the event and the process
 * crashes — that logs each distinct message once per outage.
 */
export function logConnectionErrors(
  connection: RedisConnection,
  logger: QueueLogger,
  fields: Record<string, unknown>,
): void {
  const errors = distinctErrorLog(logger, fields);
  connection.on("error", (error: Error) => errors.report(error));
  connection.on("ready", () => errors.reset());
}

/**
 * Resolves when the connection is ready; rejects on the first connection error, when it is
 * closed, or after `timeoutMs`. Connects a lazy connection.
 */
export async function whenReady(connection: RedisConnection, timeoutMs: number): Promise<void> {
  if (connection.status === "ready") return;
  if (connection.status === "end") throw new Error("the connection is closed");
  if (connection.status === "wait") connection.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      connection.off("ready", onReady);
      connection.off("error", onError);
      connection.off("end", onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => settle(error);
    const onEnd = () => settle(new Error("the connection is closed"));
    const timer = setTimeout(() => settle(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    connection.once("ready", onReady);
    connection.once("error", onError);
    connection.once("end", onEnd);
  });
}

/**
 * Closes a connection we own: `QUIT` (lets replies in flight arrive) when it is up, else — or
 * when QUIT gets no answer within `timeoutMs` — a hard disconnect. Never hangs on a dead Redis.
 */
export async function closeConnection(connection: RedisConnection, timeoutMs = 2_000): Promise<void> {
  if (connection.status === "end") return;
  if (connection.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([connection.quit().catch(() => undefined), timedOut]);
    clearTimeout(timer);
  }
  // Read again: QUIT may have ended it while we waited.
  if (statusOf(connection) !== "end") connection.disconnect();
}

/** The status now (a call, so TypeScript does not keep a narrowing from before an await). */
function statusOf(connection: RedisConnection): string {
  return connection.status;
}

/** The Redis URL without its password, for logs and error messages. */
export function redactedRedisUrl(redisUrl: string): string {
  // Sentinel and Cluster URLs carry no password (a comma-separated host list is no URL `new URL` reads).
  if (redisUrl.startsWith("redis-sentinel://") || redisUrl.startsWith("redis-cluster://")) return redisUrl;
  try {
    const url = new URL(redisUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}
