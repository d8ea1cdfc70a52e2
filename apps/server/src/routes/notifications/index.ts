import { listNotificationDeliveries, storeDb } from "@almanac/store";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteDeps } from "../../app-options.js";
import { listDeliveriesSchema } from "../../schemas/notifications.js";

/** `/api/notifications`: what the webhook outbox holds and how each delivery went. */
export const notificationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { ctx }) => {
  app.get("/deliveries", { schema: listDeliveriesSchema }, async (request) => {
    const { status, notification, limit, cursor } = request.query;
    const page = await listNotificationDeliveries(storeDb(ctx.store), { status, notification, limit, cursor });
    return {
      deliveries: page.deliveries.map((row) => ({
        id: String(row.id),
        notification: row.notification,
        type: row.eventType,
        status: row.status,
        attempts: row.attempts,
        lastStatus: row.lastStatus,
        lastError: row.lastError,
        // Only a pending row has a next attempt; the column keeps its last value otherwise.
        nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
        createdAt: row.createdAt.toISOString(),
        deliveredAt: row.deliveredAt?.toISOString() ?? null,
        event: { ...row.payload },
      })),
      nextCursor: page.nextCursor,
    };
  });
};
