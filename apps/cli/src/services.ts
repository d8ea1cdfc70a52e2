import { createAlmanacMetrics, startMetricsServer } from "@almanac/metrics";
import { createRunQueue, type QueueSettings } from "@almanac/queue";
import {
  assertSafeToListen,
  startAutomation,
  startFreshnessChecks,
  startNotificationDelivery,
  startReconciler,
  startSchedules,
  startServer,
} from "@almanac/server";
import { migrate } from "@almanac/store";
import { startWorker } from "@almanac/worker";
import type pino from "pino";
import type { AlmanacEnv } from "./config.js";
import { openSession, type Session } from "./connections.js";
import { stopTracing } from "./early-tracing.js";
import { startLocalRedis } from "./local-redis.js";
import { createLogger } from "./logger.js";

/** Which long-running parts a process runs: `dev` runs both. */
export interface ServiceParts {
  readonly server: boolean;
  readonly worker: boolean;
  readonly port?: number;
  /** `--insecure` or `ALMANAC_INSECURE=1`: allow a non-loopback host without a token. */
  readonly insecure?: boolean;
}

/** Time a worker gets to finish its running steps on shutdown before it is closed hard. */
const shutdownDeadlineMs = 30_000;

/**
 * `almanac dev | serve | worker`: connect (embedded Postgres and a local Redis when the URLs
 * are not set), migrate, start the asked-for parts, and run until SIGINT/SIGTERM, then shut
 * down in order: stop taking work, let running steps finish (bounded), close connections.
 */
export async function runServices(env: AlmanacEnv, projectDir: string, parts: ServiceParts): Promise<number> {
  // Refuse an open API on the network before starting anything; startServer checks again.
  if (parts.server) assertSafeToListen({ host: env.host, apiToken: env.apiToken, insecure: parts.insecure });
  const logger = createLogger();
  const session = await openSession(env, projectDir, { poolSize: 10 });
  // Last: the spans of the shutdown itself are exported too.
  const closers: (() => Promise<unknown>)[] = [() => session.close(), stopTracing];
  try {
    await migrate(session.storeUrl);
    const queue: QueueSettings = {
      redisUrl: env.redisUrl ?? (await startLocalRedis(env.home)),
      prefix: env.queuePrefix,
    };
    // One registry per process: in `dev` the server's /metrics shows the worker's counters too.
    const metrics = createAlmanacMetrics();
    if (parts.worker) {
      const worker = await startWorker({
        ctx: session.ctx,
        queue,
        concurrency: env.workerConcurrency,
        logger,
        metrics,
      });
      closers.unshift(() => worker.close(shutdownDeadlineMs));
      logger.info({ project: session.ctx.project.name }, "worker started");
      if (!parts.server && env.metricsPort !== undefined) {
        const metricsServer = await startMetricsServer(metrics, { host: env.host, port: env.metricsPort });
        closers.unshift(() => metricsServer.close());
        logger.info({ url: `${metricsServer.url}/metrics` }, "worker metrics served");
      }
    }
    if (parts.server) {
      const runQueue = createRunQueue(queue, logger);
      closers.unshift(() => runQueue.close());
      // Before the server listens, so it answers once schedules are registered and caught up.
      // Postgres is the truth: hand over what Redis lost, take over runs whose worker died.
      const reconciler = startReconciler({
        ctx: session.ctx,
        runQueue,
        logger,
        intervalMs: env.reconcileIntervalMs,
        staleRunMs: env.staleRunMs,
      });
      closers.unshift(() => reconciler.close());
      const schedules = await startSchedules({
        ctx: session.ctx,
        queue,
        runQueue,
        logger,
        catchUpDays: env.scheduleCatchUpDays,
      });
      closers.unshift(() => schedules.close());
      const automation = await startAutomation({
        ctx: session.ctx,
        runQueue,
        logger,
        pollMs: env.automationPollMs,
        metrics,
      });
      closers.unshift(() => automation.close());
      const server = await startServer({
        ctx: session.ctx,
        runQueue,
        apiToken: env.apiToken,
        readTokens: env.readTokens,
        namedTokens: env.namedTokens,
        webPublicRead: env.webPublicRead,
        maxBackfillPartitions: env.maxBackfillPartitions,
        rateLimitPerMinute: env.rateLimitPerMinute,
        logger,
        host: env.host,
        insecure: parts.insecure,
        port: parts.port ?? env.port,
        metrics,
      });
      closers.unshift(() => server.close());
      // After listen: links default to the address the server got. Closed before it (unshift).
      const delivery = startNotificationDelivery({
        ctx: session.ctx,
        logger,
        metrics,
        publicUrl: env.publicUrl ?? server.url,
        secret: env.webhookSecret,
        pollMs: env.notificationPollMs,
        backoffMs: env.webhookBackoffMs,
        maxAttempts: env.webhookMaxAttempts,
        timeoutMs: env.webhookTimeoutMs,
      });
      closers.unshift(() => delivery.close());
      const freshness = startFreshnessChecks({ ctx: session.ctx, logger, intervalMs: env.freshnessIntervalMs });
      closers.unshift(() => freshness.close());
      announce(logger, server.url, session, env);
    }
    const signal = await untilSignal();
    logger.info({ signal }, "shutting down");
    return 0;
  } finally {
    for (const close of closers) await close().catch((error: unknown) => logger.error({ err: error }, "close failed"));
  }
}

function announce(logger: pino.Logger, url: string, session: Session, env: AlmanacEnv): void {
  logger.info(
    {
      url,
      docs: `${url}/docs`,
      project: session.ctx.project.dir,
      auth: env.apiToken ? "bearer token required for changes" : "open (set ALMANAC_API_TOKEN to require a token)",
    },
    `Almanac is up: ${url} (API docs at ${url}/docs)`,
  );
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      resolve(signal);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}
