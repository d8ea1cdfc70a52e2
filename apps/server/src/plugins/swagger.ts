import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

/**
 * OpenAPI document built from the route schemas, served at `/docs/json`, and Swagger UI at
 * `/docs`. Registered before the routes: @fastify/swagger collects them as they are added.
 */
export async function registerSwagger(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Almanac",
        description:
          "Partition-aware orchestration for dbt-style SQL models on Postgres. Errors are " +
          "`{error: {code, message}}`. When ALMANAC_API_TOKEN is set, mutating requests need a bearer token.",
        version: "0.1.0",
      },
      tags: [
        { name: "health", description: "Liveness of Postgres and Redis" },
        { name: "assets", description: "Models and the status of their partitions" },
        { name: "runs", description: "Materialize a partition or a range; follow and cancel runs" },
        { name: "backfills", description: "A range split into runs: request, follow, cancel, retry" },
        { name: "schedules", description: "Schedules from almanac.yml: ticks, on/off, fire one now" },
        { name: "sources", description: "Loaders report new data in source tables" },
        { name: "notifications", description: "Webhook deliveries of almanac.yml notifications" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", description: "ALMANAC_API_TOKEN" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", logLevel: "warn" });
}
