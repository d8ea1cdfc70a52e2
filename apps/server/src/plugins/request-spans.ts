import { describeActiveSpan } from "@almanac/tracing";
import type { FastifyInstance } from "fastify";

/**
 * Names each request's trace span after its route (`POST /api/runs`, `GET /api/runs/:id`), as
 * tracing backends group requests, instead of the bare method the HTTP instrumentation knows.
 * Without tracing there is no active span and the hook returns at once.
 */
export function installRequestSpanNames(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined) return;
    describeActiveSpan(`${request.method} ${route}`, { "http.route": route });
  });
}
