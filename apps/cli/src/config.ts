import path from "node:path";
import { AlmanacError } from "@almanac/errors";
import { parseEnvVarPrefixes } from "@almanac/project";
import { assertRedisUrl } from "@almanac/queue";
import { defaultPostgresSession, type PostgresSessionSettings } from "./postgres-session.js";

/**
 * Everything Almanac reads from the environment, parsed once. Command-line flags override
 * these where a command offers one (`--project`).
 */
export interface AlmanacEnv {
  /** `DATABASE_URL`: the store. Unset: the CLI starts an embedded Postgres under `.almanac/`. */
  readonly databaseUrl: string | undefined;
  /** `WAREHOUSE_URL`: where models are written. Default: `DATABASE_URL` (one database; status commits with data). */
  readonly warehouseUrl: string | undefined;
  /** `ALMANAC_PROJECT_DIR`: the dbt-style project. Default: the current directory. */
  readonly projectDir: string;
  /** `ALMANAC_TARGET`: dbt target name seen by models as `target.name`. Default `dev`. */
  readonly targetName: string;
  /** `ALMANAC_TARGET_SCHEMA`: schema models are written to (custom schemas get it as prefix). Default `public`. */
  readonly targetSchema: string;
  /** `ALMANAC_HOME`: where the embedded Postgres and local Redis keep their data. Default `.almanac` in the current directory. */
  readonly home: string;
  /**
   * `REDIS_URL`: the queue — `redis://host:port`, `redis-sentinel://h1:26379,h2/<master>` or
   * `redis-cluster://h1:6379,h2:6379,h3:6379` (seed nodes; the queue prefix is then hash-tagged,
   * `{almanac}`). Unset: a local `redis-server` is started under `<home>/redis`.
   */
  readonly redisUrl: string | undefined;
  /** `ALMANAC_QUEUE_PREFIX`: BullMQ key prefix, so several instances can share one Redis. Default `almanac`. */
  readonly queuePrefix: string;
  /** `ALMANAC_API_TOKEN`: when set, every mutating request needs `Authorization: Bearer <token>`. */
  readonly apiToken: string | undefined;
  /** `ALMANAC_READ_TOKENS`: comma-separated read-only tokens; when set, reads of `/api` (but health) need a token. Default: none. */
  readonly readTokens: readonly string[];
  /** `ALMANAC_API_TOKENS`: more operator tokens as `name:token,…`, so records say whose token made them. Needs `ALMANAC_API_TOKEN`. */
  readonly namedTokens: ReadonlyMap<string, string>;
  /**
   * `ALMANAC_WEB_PUBLIC_READ`: with `ALMANAC_API_TOKEN` set, `1`/`true` keeps the web pages'
   * read-only views open and `0`/`false` sends visitors to `/login` first. Default true.
   */
  readonly webPublicRead: boolean;
  /**
   * `ALMANAC_INSECURE`: `1`/`true` lets the server listen on a non-loopback `ALMANAC_HOST`
   * without `ALMANAC_API_TOKEN` (same as `--insecure`). Default off: that is refused.
   */
  readonly insecure: boolean;
  /** `ALMANAC_RATE_LIMIT_PER_MINUTE`: mutating requests per client IP per minute; more get 429. Default 120. */
  readonly rateLimitPerMinute: number | undefined;
  /** `PORT`: the server's port. Default 3000. */
  readonly port: number;
  /** `ALMANAC_HOST`: the address the server (and a worker's metrics listener) listens on. Default `127.0.0.1`. */
  readonly host: string;
  /**
   * `ALMANAC_METRICS_PORT`: where `almanac worker` serves `GET /metrics` (Prometheus). Default:
   * unset, no listener. `serve` and `dev` serve `/metrics` on their `PORT` and ignore it.
   */
  readonly metricsPort: number | undefined;
  /** `ALMANAC_WORKER_CONCURRENCY`: runs a worker executes at once. Default: the number of cores. */
  readonly workerConcurrency: number | undefined;
  /** `ALMANAC_RECONCILE_INTERVAL_MS`: pause between the server's reconciler passes. Default 10 000. */
  readonly reconcileIntervalMs: number;
  /** `ALMANAC_AUTOMATION_POLL_MS`: automation passes this often besides those on notifications. Default 5 000. */
  readonly automationPollMs: number;
  /** `ALMANAC_STALE_RUN_MS`: a running run without a heartbeat this long is taken over. Default 60 000. */
  readonly staleRunMs: number;
  /** `ALMANAC_MAX_BACKFILL_PARTITIONS`: backfills over more partitions are refused. Default 100 000. */
  readonly maxBackfillPartitions: number;
  /** `ALMANAC_SCHEDULE_CATCHUP_DAYS`: days of missed schedule ticks fired at server start; 0 = none. Default 5. */
  readonly scheduleCatchUpDays: number;
  /**
   * `ALMANAC_STEP_TIMEOUT_MS`: a statement of a step running longer fails its partitions
   * (`ALMANAC_STEP_TIMEOUT`, not retried); 0 = no limit. Default: the engine's, one hour.
   */
  readonly stepTimeoutMs: number | undefined;
  /**
   * `ALMANAC_ENV_VAR_PREFIXES`: comma-separated prefixes of the environment variables models may
   * read with `env_var()`; anything else (`DATABASE_URL`, say) is refused. Default `DBT_,ALMANAC_`.
   */
  readonly envVarPrefixes: readonly string[];
  /**
   * `ALMANAC_PUBLIC_URL`: the web UI's address as people reach it (behind a proxy, say), for
   * the links in notifications. Default: the server's own listening address.
   */
  readonly publicUrl: string | undefined;
  /** `ALMANAC_WEBHOOK_SECRET`: when set, each notification carries `X-Almanac-Signature: sha256=<HMAC of the body>`. */
  readonly webhookSecret: string | undefined;
  /** `ALMANAC_WEBHOOK_MAX_ATTEMPTS`: POSTs of one notification before it is marked failed. Default 10. */
  readonly webhookMaxAttempts: number;
  /** `ALMANAC_WEBHOOK_BACKOFF_MS`: wait after a first failed POST, doubled after each further one (at most an hour). Default 10 000. */
  readonly webhookBackoffMs: number;
  /** `ALMANAC_WEBHOOK_TIMEOUT_MS`: how long a receiver may take to answer a POST. Default 10 000. */
  readonly webhookTimeoutMs: number;
  /** `ALMANAC_NOTIFICATION_POLL_MS`: longest pause between looks at the outbox (NOTIFY wakes it sooner). Default 5 000. */
  readonly notificationPollMs: number;
  /** `ALMANAC_FRESHNESS_INTERVAL_MS`: pause between the server's freshness checks. Default 60 000. */
  readonly freshnessIntervalMs: number;
  /** `ALMANAC_PG_*`: keepalives and timeouts of Almanac's Postgres sessions (see postgres-session.ts). */
  readonly postgresSession: PostgresSessionSettings;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): AlmanacEnv {
  return Object.freeze({
    databaseUrl: nonEmpty(env.DATABASE_URL),
    warehouseUrl: nonEmpty(env.WAREHOUSE_URL),
    projectDir: path.resolve(nonEmpty(env.ALMANAC_PROJECT_DIR) ?? "."),
    targetName: nonEmpty(env.ALMANAC_TARGET) ?? "dev",
    targetSchema: nonEmpty(env.ALMANAC_TARGET_SCHEMA) ?? "public",
    home: path.resolve(nonEmpty(env.ALMANAC_HOME) ?? ".almanac"),
    redisUrl: redisUrl(env.REDIS_URL),
    queuePrefix: nonEmpty(env.ALMANAC_QUEUE_PREFIX) ?? "almanac",
    apiToken: nonEmpty(env.ALMANAC_API_TOKEN),
    readTokens: Object.freeze(
      (env.ALMANAC_READ_TOKENS ?? "")
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== ""),
    ),
    namedTokens: namedTokens(env.ALMANAC_API_TOKENS, nonEmpty(env.ALMANAC_API_TOKEN) !== undefined),
    insecure: flag(env.ALMANAC_INSECURE, "ALMANAC_INSECURE"),
    webPublicRead:
      nonEmpty(env.ALMANAC_WEB_PUBLIC_READ) === undefined ||
      flag(env.ALMANAC_WEB_PUBLIC_READ, "ALMANAC_WEB_PUBLIC_READ"),
    rateLimitPerMinute: positiveInt(env.ALMANAC_RATE_LIMIT_PER_MINUTE, "ALMANAC_RATE_LIMIT_PER_MINUTE"),
    port: positiveInt(env.PORT, "PORT") ?? 3000,
    host: nonEmpty(env.ALMANAC_HOST) ?? "127.0.0.1",
    metricsPort: positiveInt(env.ALMANAC_METRICS_PORT, "ALMANAC_METRICS_PORT"),
    workerConcurrency: positiveInt(env.ALMANAC_WORKER_CONCURRENCY, "ALMANAC_WORKER_CONCURRENCY"),
    reconcileIntervalMs: positiveInt(env.ALMANAC_RECONCILE_INTERVAL_MS, "ALMANAC_RECONCILE_INTERVAL_MS") ?? 10_000,
    automationPollMs: positiveInt(env.ALMANAC_AUTOMATION_POLL_MS, "ALMANAC_AUTOMATION_POLL_MS") ?? 5_000,
    staleRunMs: positiveInt(env.ALMANAC_STALE_RUN_MS, "ALMANAC_STALE_RUN_MS") ?? 60_000,
    maxBackfillPartitions:
      positiveInt(env.ALMANAC_MAX_BACKFILL_PARTITIONS, "ALMANAC_MAX_BACKFILL_PARTITIONS") ?? 100_000,
    scheduleCatchUpDays: nonNegativeInt(env.ALMANAC_SCHEDULE_CATCHUP_DAYS, "ALMANAC_SCHEDULE_CATCHUP_DAYS") ?? 5,
    stepTimeoutMs: nonNegativeInt(env.ALMANAC_STEP_TIMEOUT_MS, "ALMANAC_STEP_TIMEOUT_MS"),
    envVarPrefixes: parseEnvVarPrefixes(env.ALMANAC_ENV_VAR_PREFIXES),
    publicUrl: publicUrl(env.ALMANAC_PUBLIC_URL),
    webhookSecret: nonEmpty(env.ALMANAC_WEBHOOK_SECRET),
    webhookMaxAttempts: positiveInt(env.ALMANAC_WEBHOOK_MAX_ATTEMPTS, "ALMANAC_WEBHOOK_MAX_ATTEMPTS") ?? 10,
    webhookBackoffMs: positiveInt(env.ALMANAC_WEBHOOK_BACKOFF_MS, "ALMANAC_WEBHOOK_BACKOFF_MS") ?? 10_000,
    webhookTimeoutMs: positiveInt(env.ALMANAC_WEBHOOK_TIMEOUT_MS, "ALMANAC_WEBHOOK_TIMEOUT_MS") ?? 10_000,
    notificationPollMs: positiveInt(env.ALMANAC_NOTIFICATION_POLL_MS, "ALMANAC_NOTIFICATION_POLL_MS") ?? 5_000,
    freshnessIntervalMs: positiveInt(env.ALMANAC_FRESHNESS_INTERVAL_MS, "ALMANAC_FRESHNESS_INTERVAL_MS") ?? 60_000,
    postgresSession: readPostgresSession(env),
  });
}

function readPostgresSession(env: NodeJS.ProcessEnv): PostgresSessionSettings {
  const d = defaultPostgresSession;
  return Object.freeze({
    keepalivesIdleS: positiveInt(env.ALMANAC_PG_KEEPALIVES_IDLE_S, "ALMANAC_PG_KEEPALIVES_IDLE_S") ?? d.keepalivesIdleS,
    keepalivesIntervalS:
      positiveInt(env.ALMANAC_PG_KEEPALIVES_INTERVAL_S, "ALMANAC_PG_KEEPALIVES_INTERVAL_S") ?? d.keepalivesIntervalS,
    keepalivesCount: positiveInt(env.ALMANAC_PG_KEEPALIVES_COUNT, "ALMANAC_PG_KEEPALIVES_COUNT") ?? d.keepalivesCount,
    tcpUserTimeoutMs:
      nonNegativeInt(env.ALMANAC_PG_TCP_USER_TIMEOUT_MS, "ALMANAC_PG_TCP_USER_TIMEOUT_MS") ?? d.tcpUserTimeoutMs,
    connectionCheckIntervalMs:
      nonNegativeInt(env.ALMANAC_PG_CONNECTION_CHECK_INTERVAL_MS, "ALMANAC_PG_CONNECTION_CHECK_INTERVAL_MS") ??
      d.connectionCheckIntervalMs,
    idleInTransactionTimeoutMs:
      nonNegativeInt(env.ALMANAC_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS, "ALMANAC_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS") ??
      d.idleInTransactionTimeoutMs,
  });
}

function publicUrl(value: string | undefined): string | undefined {
  const text = nonEmpty(value)?.trim();
  if (text === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(text)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `ALMANAC_PUBLIC_URL="${text}" must be an http:// or https:// URL`);
  }
  return text.replace(/\/+$/, "");
}

/** A malformed Sentinel or Cluster URL is refused here, in one line, before anything starts. */
function redisUrl(value: string | undefined): string | undefined {
  const url = nonEmpty(value)?.trim();
  if (url !== undefined) assertRedisUrl(url);
  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function flag(value: string | undefined, name: string): boolean {
  const text = nonEmpty(value)?.trim().toLowerCase();
  if (text === undefined || text === "0" || text === "false") return false;
  if (text === "1" || text === "true") return true;
  throw new AlmanacError("ALMANAC_BAD_REQUEST", `${name}="${value}" must be 1, true, 0 or false`);
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `${name}="${text}" is not a positive whole number`);
  }
  return n;
}

function nonNegativeInt(value: string | undefined, name: string): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `${name}="${text}" is not a whole number (0 or more)`);
  }
  return n;
}

/** `ALMANAC_API_TOKENS=loader:s3cret,ci:0ther`: names are what records show, so each must be plain and unique. */
function namedTokens(value: string | undefined, hasApiToken: boolean): ReadonlyMap<string, string> {
  const tokens = new Map<string, string>();
  const text = nonEmpty(value);
  if (text === undefined) return tokens;
  if (!hasApiToken) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      "ALMANAC_API_TOKENS is set without ALMANAC_API_TOKEN: set that too (the web login and the named tokens' defaults use it)",
    );
  }
  for (const entry of text.split(",").map((part) => part.trim())) {
    const match = /^([A-Za-z0-9_.-]+):(\S+)$/.exec(entry);
    if (!match) {
      throw new AlmanacError(
        "ALMANAC_BAD_REQUEST",
        `ALMANAC_API_TOKENS entry "${entry.split(":")[0]}:…" must be name:token (name of letters, digits, _ . -)`,
      );
    }
    const [, name, token] = match as unknown as [string, string, string];
    if (name === "api" || tokens.has(name)) {
      throw new AlmanacError(
        "ALMANAC_BAD_REQUEST",
        `ALMANAC_API_TOKENS names "${name}" twice${name === "api" ? " (api is ALMANAC_API_TOKEN's name)" : ""}`,
      );
    }
    tokens.set(name, token);
  }
  return tokens;
}
