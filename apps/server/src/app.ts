import { createAlmanacMetrics } from "@almanac/metrics";
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Logger, LoggerOptions } from "pino";
import type { AppOptions, RouteDeps } from "./app-options.js";
import { storeStateSources } from "./metrics/state-sources.js";
import { installBearerAuth } from "./plugins/auth.js";
import { frameworkErrorReply, installErrorReplies } from "./plugins/errors.js";
import { installJsonBodyParser } from "./plugins/json-body.js";
import { installRateLimit } from "./plugins/rate-limit.js";
import { installRequestSpanNames } from "./plugins/request-spans.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { registerSwagger } from "./plugins/swagger.js";
import { assetRoutes } from "./routes/assets/index.js";
import { backfillRoutes } from "./routes/backfills/index.js";
import { healthRoutes } from "./routes/health/index.js";
import { metricsRoutes } from "./routes/metrics/index.js";
import { notificationRoutes } from "./routes/notifications/index.js";
import { runRoutes } from "./routes/runs/index.js";
import { scheduleRoutes } from "./routes/schedules/index.js";
import { sourceRoutes } from "./routes/sources/index.js";
import { webPages } from "./web/index.js";

/** Requests are small JSON documents; anything bigger is a mistake or an attack. */
const bodyLimitBytes = 64 * 1024;

/** Log paths that may hold the API token: never written, whatever serializers log later. */
const redactedPaths = ["req.headers.authorization", "headers.authorization"];

/**
 * Builds the REST API (DESIGN §5) without listening: tests drive it with `app.inject`,
 * `startServer` puts it on a port. The caller owns `ctx`'s pools and the run queue and closes
 * them after the app.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: bodyLimitBytes,
    frameworkErrors: frameworkErrorReply,
    routerOptions: {
      // Longer than the longest valid path parameter (asset keys, 255), so a too-long one gets
      // the schema's 400 instead of a misleading 404.
      maxParamLength: 300,
      // `/api/runs/` is `/api/runs`: curl users add slashes.
      ignoreTrailingSlash: true,
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox's compiler checks bodies as sent (a number is not a string) and converts only
  // params and query strings, which arrive as text; fastify's default Ajv coerces bodies too.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  installRequestSpanNames(app);
  installErrorReplies(app);
  installJsonBodyParser(app);
  await registerSecurityHeaders(app);
  // Before auth: a flood of requests with wrong tokens is throttled too.
  await installRateLimit(app, options.rateLimitPerMinute);
  // Filled as the web plugin registers its routes; they check a session cookie instead.
  const webRoutes = new Set<string>();
  installBearerAuth(app, {
    apiToken: options.apiToken,
    readTokens: options.readTokens,
    namedTokens: options.namedTokens,
    sessionRoutes: webRoutes,
  });
  await registerSwagger(app);

  const deps: RouteDeps = { ctx: options.ctx, runQueue: options.runQueue, now: options.now ?? (() => new Date()) };
  await app.register(healthRoutes, { ...deps, prefix: "/api/health" });
  await app.register(assetRoutes, { ...deps, prefix: "/api/assets" });
  await app.register(runRoutes, { ...deps, prefix: "/api/runs" });
  await app.register(backfillRoutes, {
    ...deps,
    maxPartitions: options.maxBackfillPartitions,
    prefix: "/api/backfills",
  });
  await app.register(scheduleRoutes, { ...deps, prefix: "/api/schedules" });
  await app.register(sourceRoutes, { ...deps, prefix: "/api/sources" });
  await app.register(notificationRoutes, { ...deps, prefix: "/api/notifications" });
  const metrics = options.metrics ?? createAlmanacMetrics();
  metrics.observeState(storeStateSources(deps));
  await app.register(metricsRoutes, { metrics });
  await app.register(webPages, {
    ...deps,
    apiToken: options.apiToken,
    publicRead: options.webPublicRead ?? true,
    maxBackfillPartitions: options.maxBackfillPartitions,
    routes: webRoutes,
  });
  return app;
}

function isPinoLogger(logger: AppOptions["logger"]): logger is Logger {
  return typeof logger === "object" && typeof (logger as Partial<Logger>).child === "function";
}

/** A pino instance becomes fastify's `loggerInstance` (a child, to add redaction); anything else is its `logger` option. */
function loggerOptions(logger: AppOptions["logger"]): Pick<FastifyServerOptions, "logger" | "loggerInstance"> {
  if (isPinoLogger(logger)) return { loggerInstance: logger.child({}, { redact: redactedPaths }) };
  if (logger === false) return { logger: false };
  const base: LoggerOptions = logger === true ? {} : logger;
  const redact = Array.isArray(base.redact)
    ? [...base.redact, ...redactedPaths]
    : base.redact
      ? { ...base.redact, paths: [...base.redact.paths, ...redactedPaths] }
      : redactedPaths;
  return { logger: { ...base, redact } };
}
