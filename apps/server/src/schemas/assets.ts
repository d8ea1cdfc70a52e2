import { Type } from "typebox";
import { AssetKey, commaSeparated, errorReplies, NullableString, nullable, PartitionKey, Timestamp } from "./common.js";

/** Statuses a partition can have; `missing` is the absence of a stored row. */
export const partitionStatusValues = ["missing", "queued", "running", "materialized", "failed"] as const;

const StatusCounts = Type.Object({
  materialized: Type.Integer(),
  failed: Type.Integer(),
  running: Type.Integer(),
  queued: Type.Integer(),
  missing: Type.Integer(),
});

const AssetSummary = Type.Object({
  key: AssetKey,
  materialized: Type.String({ description: "view, table, incremental or ephemeral", examples: ["incremental"] }),
  partitioned: Type.Boolean(),
  partitions: Type.Optional(Type.String({ description: "Name of the partitions definition, when partitioned" })),
  deps: Type.Array(Type.String(), { description: "Direct upstream assets" }),
  mappings: Type.Array(
    Type.Object({
      asset: AssetKey,
      partitions: Type.String({ description: "The dependency's partitions definition" }),
      type: Type.Union([Type.Literal("identity"), Type.Literal("time_window")], {
        description: "identity: the same key; time_window: the overlapping windows, moved by the offsets",
      }),
      startOffset: Type.Integer(),
      endOffset: Type.Integer(),
    }),
    { description: "How the asset's partitions read each partitioned dependency (itself, for a self-dependency)" },
  ),
  tags: Type.Array(Type.String()),
  counts: StatusCounts,
  overdue: Type.Boolean({
    description:
      "True when the asset has almanac.yml freshness and its latest partition (the last ended window) is not materialized max_lag after the window ended",
  }),
  freshness: Type.Optional(
    Type.Object(
      {
        maxLag: Type.String({ examples: ["26h"] }),
        partition: Type.Union([PartitionKey, Type.Null()], {
          description: "The latest partition it is judged by; null before the first window ends",
        }),
        windowEnd: Timestamp,
        deadline: Timestamp,
      },
      { description: "Present when almanac.yml gives the asset a freshness policy" },
    ),
  ),
});

const AssetKeyParams = Type.Object({ key: AssetKey });

export const listAssetsSchema = {
  summary: "Every asset of the project with its partition counts",
  tags: ["assets"],
  response: { 200: Type.Object({ assets: Type.Array(AssetSummary) }), ...errorReplies },
} as const;

export const getAssetSchema = {
  summary: "One asset with its partition counts",
  tags: ["assets"],
  params: AssetKeyParams,
  response: { 200: AssetSummary, ...errorReplies },
} as const;

const PartitionEntry = Type.Object({
  key: Type.String({ description: 'The partition key; "" for a non-partitioned asset' }),
  status: Type.Enum(partitionStatusValues),
  stale: Type.Boolean(),
  runId: nullable<string>({ type: "string", format: "uuid" }),
  updatedAt: Timestamp,
  materializedAt: Timestamp,
  errorCode: NullableString,
  errorMessage: NullableString,
  checks: nullable<"passed" | "warned" | "failed">({
    type: "string",
    enum: ["passed", "warned", "failed", null],
    description:
      "The partition's checks (dbt tests): failed (an error-severity test failed), warned, passed; null when never checked",
  }),
});

export const listPartitionsSchema = {
  summary: "Every partition of an asset with its status, missing ones included",
  tags: ["assets"],
  params: AssetKeyParams,
  querystring: Type.Object(
    {
      from: Type.Optional(PartitionKey),
      to: Type.Optional(PartitionKey),
      status: Type.Optional(commaSeparated(partitionStatusValues, "Only these statuses, e.g. missing,failed")),
    },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ partitions: Type.Array(PartitionEntry) }), ...errorReplies },
} as const;

export const partitionStatusStringSchema = {
  summary: "An asset's partition statuses over a range as one character per partition",
  description:
    "The compact form of /partitions for large ranges (a status page, a script): `statuses` holds one character " +
    "per partition key from `from` to `to`, in order: m materialized, s stale (materialized, but its code or " +
    "an upstream partition changed since), f failed, r running, q queued, - missing.",
  tags: ["assets"],
  params: AssetKeyParams,
  querystring: Type.Object(
    { from: Type.Optional(PartitionKey), to: Type.Optional(PartitionKey) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      asset: AssetKey,
      partitions: Type.String({ description: "Name of the partitions definition", examples: ["daily"] }),
      from: Type.Union([PartitionKey, Type.Null()], { description: "First key; null when the asset has none yet" }),
      to: Type.Union([PartitionKey, Type.Null()]),
      statuses: Type.String({ examples: ["mmmmf-qr"] }),
    }),
    ...errorReplies,
  },
} as const;
