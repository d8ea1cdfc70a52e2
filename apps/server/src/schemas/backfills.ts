import { Type } from "typebox";
import { BackfillId, errorReplies, NullableString, PartitionKey, Selector, Timestamp } from "./common.js";

export const backfillStatusValues = [
  "requested",
  "running",
  "completed",
  "completed_with_failures",
  "canceled",
] as const;
const onlyValues = ["missing", "failed", "missing_or_failed"] as const;

const BackfillStatus = Type.Enum(backfillStatusValues);

/** `POST /api/backfills` (DESIGN §5). */
export const BackfillRequestBody = Type.Object(
  {
    select: Selector,
    from: { ...PartitionKey, description: "First key of the inclusive range" },
    to: { ...PartitionKey, description: "Last key of the inclusive range" },
    policy: Type.Optional(
      Type.Enum(["single_run", "multi_run"], {
        description: "How the range is split into runs; default: almanac.yml's backfill_policy, else multi_run",
      }),
    ),
    maxPartitionsPerRun: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: "For multi_run (implied when policy is omitted): partitions per run; default 1",
      }),
    ),
    only: Type.Optional(
      Type.Enum(onlyValues, {
        description:
          "Only the partitions in this state at request time: a key is taken when any selected partitioned model " +
          "is missing (or failed) for it; default: every partition of the range",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "A selection with at least one partitioned model, over an inclusive range",
  },
);

const Accepted = Type.Object({
  backfillId: BackfillId,
  partitions: Type.Integer({ description: "Partition keys targeted (after `only`)" }),
  runs: Type.Integer({ description: "Runs the backfill was split into" }),
});

export const createBackfillSchema = {
  summary: "Backfill a selection over a range of partitions",
  description:
    "Records the backfill, its runs and its partitions as queued in one transaction, and enqueues the runs " +
    "that may start. Non-partitioned models the partitioned ones read run once first; those that read them, " +
    "once after every partition run. Ranges over the maximum number of partitions (100,000) are refused.",
  tags: ["backfills"],
  security: [{ bearerAuth: [] }],
  body: BackfillRequestBody,
  response: { 202: Accepted, ...errorReplies },
} as const;

const RunCounts = Type.Object({
  queued: Type.Integer(),
  running: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  canceled: Type.Integer(),
  total: Type.Integer(),
});

const PartitionCounts = Type.Object(
  {
    queued: Type.Integer(),
    running: Type.Integer(),
    materialized: Type.Integer(),
    failed: Type.Integer({ description: "Failed, or skipped because something upstream failed" }),
    canceled: Type.Integer({ description: "Given back by a cancel before they ran" }),
    total: Type.Integer(),
  },
  { description: "Asset partitions of the backfill per status (one per non-partitioned model)" },
);

const BackfillSummary = Type.Object({
  id: BackfillId,
  status: BackfillStatus,
  selection: Type.String(),
  assetKeys: Type.Array(Type.String()),
  partitionsDef: NullableString,
  from: NullableString,
  to: NullableString,
  policy: Type.Enum(["single_run", "multi_run"]),
  maxPartitionsPerRun: Type.Union([Type.Integer(), Type.Null()]),
  only: NullableString,
  parentId: Type.Union([BackfillId, Type.Null()], { description: "The backfill this one retries" }),
  partitions: Type.Integer({ description: "Partition keys targeted" }),
  runs: RunCounts,
  createdAt: Type.String({ format: "date-time" }),
  startedAt: Timestamp,
  finishedAt: Timestamp,
});

export const listBackfillsSchema = {
  summary: "Backfills, newest first",
  tags: ["backfills"],
  querystring: Type.Object(
    { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ backfills: Type.Array(BackfillSummary) }), ...errorReplies },
} as const;

const BackfillIdParams = Type.Object({ id: BackfillId });

export const getBackfillSchema = {
  summary: "One backfill with its status and counts",
  tags: ["backfills"],
  params: BackfillIdParams,
  response: {
    200: Type.Object({ ...BackfillSummary.properties, counts: PartitionCounts }),
    ...errorReplies,
  },
} as const;

export const cancelBackfillSchema = {
  summary: "Cancel a backfill",
  description:
    "Queued runs are canceled at once and their partitions released; running runs stop after their current " +
    "step. The backfill is `canceled` once nothing of it runs. A finished backfill is left as it is.",
  tags: ["backfills"],
  security: [{ bearerAuth: [] }],
  params: BackfillIdParams,
  response: {
    202: Type.Object({ ...BackfillSummary.properties, counts: PartitionCounts }),
    ...errorReplies,
  },
} as const;

export const retryBackfillSchema = {
  summary: "Retry the failed partitions of a finished backfill",
  description:
    "Records a NEW backfill linked to this one (`parentId`), with the same selection and policy, over the " +
    "partitions this one left failed (failed or skipped, and not mended since), and enqueues it.",
  tags: ["backfills"],
  security: [{ bearerAuth: [] }],
  params: BackfillIdParams,
  response: { 202: Accepted, ...errorReplies },
} as const;
