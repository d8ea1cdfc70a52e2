import { sql } from "drizzle-orm";
import { bigserial, check, index, text, timestamp } from "drizzle-orm/pg-core";
import { almanac } from "./almanac-schema.js";

/**
 * A loader's report that a source table has new data (`POST /api/sources/:source/events`,
 * `almanac report`): which partitions of the source, in the definition it was reported in, and
 * when. The assets that read those partitions are stale from then on. A report without keys
 * says the whole table changed.
 */
export const sourceEvents = almanac.table(
  "source_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** `source.table`, as `source('source', 'table')` names it. */
    sourceKey: text("source_key").notNull(),
    /** The definition the keys belong to; null with the keys for a report of the whole table. */
    partitionsDef: text("partitions_def"),
    partitionFrom: text("partition_from"),
    partitionTo: text("partition_to"),
    /** Who reported it: `api` or `cli`. */
    reportedBy: text("reported_by").notNull(),
    reportedAt: timestamp("reported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("source_events_source_key_reported_at_idx").on(table.sourceKey, table.reportedAt),
    check(
      "source_events_range_check",
      sql`("partition_from" is null) = ("partition_to" is null) and ("partition_from" is null) = ("partitions_def" is null)`,
    ),
  ],
);
