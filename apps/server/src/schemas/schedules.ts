import { Type } from "typebox";
import { errorReplies, NullableString, RunId, Timestamp } from "./common.js";

/** A schedule name as almanac.yml allows it (checked at load); anything else is no schedule. */
const ScheduleName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: "^[A-Za-z][A-Za-z0-9_.-]*$",
  description: "A schedule name from almanac.yml",
  examples: ["nightly"],
});

const tickStatusValues = ["started", "skipped", "succeeded", "failed"] as const;

const Tick = Type.Object({
  id: Type.String({ format: "uuid" }),
  tickTime: Type.String({ format: "date-time", description: "The scheduled instant the tick stands for" }),
  partitionKey: Type.Union([Type.String(), Type.Null()], {
    description: "The partition it targets: the last complete one at tickTime",
  }),
  status: Type.Enum(tickStatusValues, {
    description:
      "started: a run was recorded (runId); skipped: off, nothing complete yet, or already launched; failed: the request was refused",
  }),
  runId: Type.Union([RunId, Type.Null()]),
  message: NullableString,
  createdAt: Type.String({ format: "date-time" }),
  finishedAt: Timestamp,
});

const Schedule = Type.Object({
  name: Type.String(),
  select: Type.String(),
  partitions: Type.String({ description: "The partitions definition whose last complete partition a tick targets" }),
  cron: Type.String(),
  timezone: Type.String(),
  lookback: Type.Integer({ minimum: 0, description: "Partitions before the target each tick runs again" }),
  enabled: Type.Boolean(),
  nextTick: Type.String({ format: "date-time" }),
  lastTicks: Type.Array(Tick, { description: "Latest ticks, latest scheduled instant first" }),
});

export const listSchedulesSchema = {
  summary: "The schedules of almanac.yml, with their state, next tick and last ticks",
  tags: ["schedules"],
  querystring: Type.Object(
    {
      ticks: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 10, description: "Ticks per schedule" })),
    },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ schedules: Type.Array(Schedule) }), ...errorReplies },
} as const;

const ScheduleParams = Type.Object({ name: ScheduleName });

export const tickScheduleSchema = {
  summary: "Fire a tick of a schedule now",
  description:
    "Targets the last complete partition at `at` (default: now), like a tick of the cron would. A partition the " +
    "schedule already launched is not launched again: the tick is recorded `skipped`.",
  tags: ["schedules"],
  security: [{ bearerAuth: [] }],
  params: ScheduleParams,
  // The body may be left out entirely (the route reads it as `{}`).
  body: Type.Object(
    {
      at: Type.Optional(
        Type.String({
          maxLength: 40,
          description: "ISO-8601 instant with offset, not in the future, e.g. 2024-01-10T03:00:00Z",
          examples: ["2024-01-10T03:00:00Z"],
        }),
      ),
    },
    { additionalProperties: false },
  ),
  response: { 202: Type.Object({ tick: Tick }), ...errorReplies },
} as const;

export const switchScheduleSchema = {
  tags: ["schedules"],
  security: [{ bearerAuth: [] }],
  params: ScheduleParams,
  response: { 200: Schedule, ...errorReplies },
} as const;
