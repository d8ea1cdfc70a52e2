import { check, index, integer, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type PartitionStatus, partitionStatuses } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { runs } from "./runs.js";

/**
 * What the orchestrator knows about each asset partition. No row = missing. A non-partitioned
 * asset has one row with `partition_key` ''. `materialized_at`, `code_version` and
 * `materialized_run_id` describe the last successful materialization and survive later
 * queued/running/failed states, so a partition that has data keeps saying so.
 */
export const assetPartitions = almanac.table(
  "asset_partitions",
  {
    assetKey: text("asset_key").notNull(),
    /** The partition key ('' for a non-partitioned asset). */
    partitionKey: text("partition_key").notNull(),
    status: text("status").$type<PartitionStatus>().notNull(),
    /** The run that owns the current status; only it may move the partition on (fencing). */
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    /** How many times the partition was queued; bumped by every `markPartitionsQueued`. */
    attempt: integer("attempt").notNull().default(0),
    /** Hash of the rendered SQL of the last successful materialization. */
    codeVersion: text("code_version"),
    /** When the last successful materialization committed. */
    materializedAt: timestamp("materialized_at", { withTimezone: true }),
    materializedRunId: uuid("materialized_run_id"),
    /** Successful materializations so far: the partition's data version. */
    materializationCount: integer("materialization_count").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }),
    /** When the last failure happened; kept (with its error) until the next success. */
    failedAt: timestamp("failed_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
  },
  (table) => [
    // The primary key serves per-asset range scans (`asset_key = $1 and partition_key between …`).
    primaryKey({ name: "asset_partitions_pkey", columns: [table.assetKey, table.partitionKey] }),
    // Status counts per asset and per-asset status filters, from the index alone.
    index("asset_partitions_asset_key_status_idx").on(table.assetKey, table.status),
    // Fencing updates and the reconciler/cancel path find a run's partitions.
    index("asset_partitions_run_id_idx").on(table.runId),
    check("asset_partitions_status_check", oneOf("status", partitionStatuses)),
  ],
);
