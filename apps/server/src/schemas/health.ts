import { Type } from "typebox";

const HealthReply = Type.Object({
  status: Type.Enum(["ok", "unavailable"]),
  postgres: Type.Boolean({ description: "The store answered `select 1`" }),
  redis: Type.Boolean({ description: "The run queue's Redis answered PING" }),
});

export const healthSchema = {
  summary: "Whether Postgres and Redis answer",
  tags: ["health"],
  response: { 200: HealthReply, 503: HealthReply },
} as const;
