import type { EngineContext } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import type { RunQueue as QueueRunQueue } from "@almanac/queue";
import type { Logger, LoggerOptions } from "pino";

/**
 * What the server needs from `@almanac/queue`'s run queue: enqueue, ping, close, and optionally
 * the BullMQ queue itself (for the `almanac_queue_jobs` gauge; without it that gauge is empty).
 */
export type RunQueue = Pick<QueueRunQueue, "enqueueRuns" | "ping" | "close"> & Partial<Pick<QueueRunQueue, "queue">>;

/** Everything the REST server is built from; the caller (CLI `serve`/`dev`, tests) owns each part. */
export interface AppOptions {
  /** Project, target and pools; the store pool also answers the health check. */
  readonly ctx: EngineContext;
  /** Where accepted runs are enqueued for workers. */
  readonly runQueue: RunQueue;
  /** `ALMANAC_API_TOKEN`: when set, POST/PUT/PATCH/DELETE need `Authorization: Bearer <token>`. Default: unset, open. */
  readonly apiToken?: string;
  /**
   * `ALMANAC_READ_TOKENS`: read-only bearer tokens. When any is set, GETs under `/api` but
   * `/api/health` need one of them or `apiToken`; a read token on a change is 401. Default: none, reads open.
   */
  readonly readTokens?: readonly string[];
  /**
   * `ALMANAC_API_TOKENS` (`loader:secret,ci:secret2`): more operator tokens by name, beside
   * `apiToken`; what a request records names its token (a source event's `reportedBy`). Needs `apiToken`.
   */
  readonly namedTokens?: ReadonlyMap<string, string>;
  /**
   * A pino logger (used as fastify's `loggerInstance`), or fastify's `logger` option (`true`,
   * `false`, or pino options). Pretty printing on a TTY is the caller's choice.
   */
  readonly logger: Logger | boolean | LoggerOptions;
  /** The clock passed to engine functions that need "now" (last partition). Default `() => new Date()`. */
  readonly now?: () => Date;
  /** `ALMANAC_MAX_BACKFILL_PARTITIONS`: backfills over more partitions are refused (400). Default 100,000. */
  readonly maxBackfillPartitions?: number;
  /** `ALMANAC_RATE_LIMIT_PER_MINUTE`: mutating requests per client IP per minute; more are 429. Default 120. */
  readonly rateLimitPerMinute?: number;
  /**
   * `ALMANAC_WEB_PUBLIC_READ`: with `apiToken` set, whether the web pages' read-only views stay
   * open (true) or need a session from `/login` too (false). Changes always need one. Default true.
   */
  readonly webPublicRead?: boolean;
  /**
   * The registry `GET /metrics` renders; the server adds its scrape-time gauges (queue, asset
   * partitions, backfills, schedules) to it. Pass the worker's in `almanac dev` so one port
   * shows both. Default: a registry of its own.
   */
  readonly metrics?: AlmanacMetrics;
}

/** What route plugins receive: the parts of {@link AppOptions} they use, the clock resolved. */
export interface RouteDeps {
  readonly ctx: EngineContext;
  readonly runQueue: RunQueue;
  readonly now: () => Date;
}
