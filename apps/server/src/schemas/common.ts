import { Type } from "typebox";

/**
 * Building blocks shared by the route schemas. Every string that reaches SQL (as a bound
 * parameter) or a BullMQ job id is bounded and restricted to safe characters here, before
 * any package sees it: no control characters (NUL included), no quotes, no unbounded length.
 */

/** A partition key: `2024-01-05` (daily), `2024-11-03-01:00-0500` (hourly, repeated hour). */
export const PartitionKey = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9_.:+-]*$",
  description: "A partition key in its definition's format, e.g. 2024-01-05",
  examples: ["2024-01-05"],
});

/** A model name: the asset key. */
export const AssetKey = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
  description: "An asset key (the model name)",
  examples: ["daily_metrics"],
});

/** dbt selection syntax: names, `+upstream`, `downstream+`, `tag:`, `path:`, `config.materialized:`, unions and intersections. */
export const Selector = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: "^[A-Za-z0-9_.,:+*@/ -]+$",
  description: "dbt selection syntax, e.g. +daily_metrics or tag:daily",
  examples: ["+daily_metrics"],
});

export const RunId = Type.String({ format: "uuid", description: "A run id" });

export const BackfillId = Type.String({ format: "uuid", description: "A backfill id" });

/** A timestamp in a response: ISO-8601 in UTC, or null when it has not happened. */
/**
 * `T | null` of a reply field as a JSON-schema type list, not an `anyOf`: fastify's serializer
 * (fast-json-stringify) writes a type list directly, but tries every `anyOf` branch against each
 * value, which made a listing of 3,650 partitions spend most of its time serializing.
 */
export function nullable<T>(schema: { type: string; [keyword: string]: unknown }) {
  return Type.Unsafe<T | null>({ ...schema, type: [schema.type, "null"] });
}

export const Timestamp = nullable<string>({ type: "string", format: "date-time" });

export const NullableString = nullable<string>({ type: "string" });

export const NullableInteger = nullable<number>({ type: "integer" });

/** A comma-separated list of words from `values`, e.g. `failed,missing`. */
export function commaSeparated(values: readonly string[], description: string) {
  const one = `(?:${values.join("|")})`;
  return Type.String({ maxLength: 200, pattern: `^${one}(?:,${one})*$`, description });
}

/** `{error: {code, message}}`: the one error shape (DESIGN §5). */
export const ErrorReply = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable code to match on", examples: ["ALMANAC_UNKNOWN_ASSET"] }),
      message: Type.String({ description: "What was wrong, where, and what to do" }),
    }),
  },
  { description: "An error" },
);

/** Every route may answer with an error in the one shape; listed so OpenAPI shows it. */
export const errorReplies = { "4xx": ErrorReply, "5xx": ErrorReply } as const;
