import { reportSourceEvent } from "@almanac/engine";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteDeps } from "../../app-options.js";
import { reportSourceEventSchema } from "../../schemas/sources.js";

/** `/api/sources`: loaders report new data in the tables models read. */
export const sourceRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { ctx, now }) => {
  app.post("/:source/events", { schema: reportSourceEventSchema }, async (request, reply) => {
    const event = await reportSourceEvent(ctx, request.params.source, request.body ?? {}, {
      reportedBy: request.tokenName ?? "api",
      now: now(),
    });
    return reply.status(201).send({
      id: event.id,
      source: event.sourceKey,
      partitions: event.partitionsDef ?? null,
      from: event.partitionFrom ?? null,
      to: event.partitionTo ?? null,
      reportedBy: event.reportedBy,
      reportedAt: event.reportedAt.toISOString(),
    });
  });
};
