import type { AlmanacMetrics } from "@almanac/metrics";
import type { FastifyPluginAsync } from "fastify";

/**
 * `GET /metrics`: Prometheus text. Open like the rest of the reads; with `ALMANAC_READ_TOKENS`
 * set it needs a read token (Prometheus sends one with `authorization: {credentials: …}`).
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: AlmanacMetrics }> = async (app, { metrics }) => {
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.render();
    return reply.header("content-type", metrics.registry.contentType).send(text);
  });
};
