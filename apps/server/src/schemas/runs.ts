import { Type } from "typebox";
import {
  AssetKey,
  BackfillId,
  commaSeparated,
  errorReplies,
  NullableInteger,
  NullableString,
  PartitionKey,
  RunId,
  Selector,
  Timestamp,
} from "./common.js";

export const runStatusValues = ["queued", "running", "succeeded", "failed", "canceled"] as const;
const stepStatusValues = ["queued", "running", "succeeded", "failed", "skipped", "canceled"] as const;

const RunStatus = Type.Enum(runStatusValues);

/** `POST /api/runs`: one shape with optional parts, so errors name the field; the engine checks combinations. */
export const RunRequestBody = Type.Object(
  {
    select: Selector,
    partition: Type.Optional(PartitionKey),
    from: Type.Optional({ ...PartitionKey, description: "First key of an inclusive range" }),
    to: Type.Optional({ ...PartitionKey, description: "Last key of an inclusive range" }),
    partitions: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The partitions definition the keys belong to, when the selection ends in assets of several",
      }),
    ),
    policy: Type.Optional(
      Type.Enum(["single_run", "multi_run"], {
        description: "How the range is split into steps; default: almanac.yml's backfill_policy",
      }),
    ),
    maxPartitionsPerRun: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: "For multi_run: partitions per step; default 1" }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "A selection and either one partition or an inclusive from/to range (neither for unpartitioned models)",
  },
);

export const createRunSchema = {
  summary: "Request a run of a selection for a partition or a range",
  description:
    "Records the run with its partitions queued and enqueues it. When every requested asset partition is " +
    "already queued or running in one run, answers with that run (`existing: true`) and enqueues nothing.",
  tags: ["runs"],
  security: [{ bearerAuth: [] }],
  body: RunRequestBody,
  response: {
    202: Type.Object({ runId: RunId, status: RunStatus, existing: Type.Boolean() }),
    ...errorReplies,
  },
} as const;

/** A run without its steps, as listed. */
const RunSummary = Type.Object({
  id: RunId,
  status: RunStatus,
  selection: Type.String(),
  assetKeys: Type.Array(Type.String()),
  partitionsDef: NullableString,
  partitionFrom: NullableString,
  partitionTo: NullableString,
  trigger: Type.String({ description: "cli, api, backfill, schedule or automation" }),
  cause: Type.Union(
    [
      Type.Object({
        rule: Type.String({ description: "The almanac.yml rule, e.g. `assets[2].automation: eager`" }),
        upstream: Type.Array(
          Type.Object({
            asset: Type.String({ description: "An asset, or `source.table` for a source event" }),
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
          }),
          { description: "The updated partitions that made it due (inclusive; no keys: all of it)" },
        ),
      }),
      Type.Null(),
    ],
    { description: "Why an automation run ran; null for other triggers" },
  ),
  backfillId: Type.Union([BackfillId, Type.Null()]),
  attempt: Type.Integer(),
  cancelRequested: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  errorCode: NullableString,
  errorMessage: NullableString,
});

const RunStep = Type.Object({
  idx: Type.Integer(),
  assetKey: Type.String(),
  partitionFrom: NullableString,
  partitionTo: NullableString,
  status: Type.Enum(stepStatusValues),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  rowsWritten: NullableInteger,
  rowsDeleted: NullableInteger,
  errorCode: NullableString,
  errorMessage: NullableString,
  renderedSql: Type.Union([Type.String(), Type.Null()], { description: "The SQL that ran (kept for failed steps)" }),
});

export const listRunsSchema = {
  summary: "Runs, newest first, filtered and paged",
  tags: ["runs"],
  querystring: Type.Object(
    {
      status: Type.Optional(commaSeparated(runStatusValues, "Only these statuses, e.g. queued,running")),
      asset: Type.Optional(AssetKey),
      partition: Type.Optional({ ...PartitionKey, description: "Runs whose range covers this key" }),
      backfill: Type.Optional(BackfillId),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
      cursor: Type.Optional({ ...RunId, description: "nextCursor of the previous page" }),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ runs: Type.Array(RunSummary), nextCursor: Type.Union([RunId, Type.Null()]) }),
    ...errorReplies,
  },
} as const;

const RunIdParams = Type.Object({ id: RunId });

export const getRunSchema = {
  summary: "One run with its steps",
  tags: ["runs"],
  params: RunIdParams,
  response: { 200: Type.Object({ ...RunSummary.properties, steps: Type.Array(RunStep) }), ...errorReplies },
} as const;

export const cancelRunSchema = {
  summary: "Cancel a run",
  description:
    "A queued run is canceled at once and its partitions are released; a running one stops after its current " +
    "step. A finished run is left as it is. Answers with the run's status after the request.",
  tags: ["runs"],
  security: [{ bearerAuth: [] }],
  params: RunIdParams,
  response: { 202: Type.Object({ runId: RunId, status: RunStatus }), ...errorReplies },
} as const;

const RunEvent = Type.Object({
  id: Type.Integer(),
  stepIdx: NullableInteger,
  level: Type.Enum(["debug", "info", "warn", "error"]),
  message: Type.String(),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
});

export const listRunEventsSchema = {
  summary: "A run's log events, in order",
  tags: ["runs"],
  params: RunIdParams,
  querystring: Type.Object(
    {
      after: Type.Optional(Type.Integer({ minimum: 0, description: "Only events after this id (nextAfter)" })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      events: Type.Array(RunEvent),
      nextAfter: Type.Integer({ description: "Pass as `after` for newer events; unchanged when there were none" }),
    }),
    ...errorReplies,
  },
} as const;
