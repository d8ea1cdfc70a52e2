import { Type } from "typebox";
import { errorReplies, PartitionKey } from "./common.js";

const SourceParams = Type.Object({
  source: Type.String({
    minLength: 3,
    maxLength: 200,
    pattern: "^[^.\\s/]+\\.[^.\\s/]+$",
    description: "source.table, as source('source', 'table') names it",
    examples: ["raw.events"],
  }),
});

/** `POST /api/sources/:source/events`: one partition, a range, or an empty body for the whole table. */
export const reportSourceEventSchema = {
  summary: "A loader reports new data in a source table: what reads those partitions becomes stale",
  tags: ["sources"],
  params: SourceParams,
  body: Type.Object(
    {
      partition: Type.Optional(PartitionKey),
      from: Type.Optional({ ...PartitionKey, description: "First key of an inclusive range" }),
      to: Type.Optional({ ...PartitionKey, description: "Last key of an inclusive range" }),
    },
    { additionalProperties: false },
  ),
  response: {
    201: Type.Object({
      id: Type.Integer(),
      source: Type.String(),
      partitions: Type.Union([Type.String(), Type.Null()], { description: "The definition the keys are in" }),
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
      reportedBy: Type.String({
        description: "The name of the token it came with (`api`: ALMANAC_API_TOKEN, or an open API)",
      }),
      reportedAt: Type.String({ format: "date-time" }),
    }),
    ...errorReplies,
  },
} as const;
