import { deliveryStatuses, notificationEventTypes } from "@almanac/store";
import { Type } from "typebox";
import { errorReplies, NullableInteger, NullableString, Timestamp } from "./common.js";

const DeliveryId = Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "A delivery id (the outbox row's)" });

const Delivery = Type.Object({
  id: DeliveryId,
  notification: Type.String({ description: "almanac.yml notifications[].name", examples: ["ops"] }),
  type: Type.Enum(notificationEventTypes),
  status: Type.Enum(deliveryStatuses, {
    description:
      "pending: not yet accepted (first try or waiting for a retry); delivered: the receiver answered 2xx; failed: attempts exhausted",
  }),
  attempts: Type.Integer({ description: "POSTs started so far" }),
  lastStatus: NullableInteger,
  lastError: NullableString,
  nextAttemptAt: Timestamp,
  createdAt: Timestamp,
  deliveredAt: Timestamp,
  event: Type.Record(Type.String(), Type.Unknown(), {
    description: "The event as recorded: run or backfill id, assets, partition range, error…",
  }),
});

export const listDeliveriesSchema = {
  summary: "Notification deliveries (the webhook outbox), newest first, filtered and paged",
  tags: ["notifications"],
  querystring: Type.Object(
    {
      status: Type.Optional(Type.Enum(deliveryStatuses)),
      notification: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z][A-Za-z0-9_.-]*$" })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
      cursor: Type.Optional({ ...DeliveryId, description: "nextCursor of the previous page" }),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ deliveries: Type.Array(Delivery), nextCursor: Type.Union([DeliveryId, Type.Null()]) }),
    ...errorReplies,
  },
} as const;
