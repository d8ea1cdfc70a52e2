import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type RunCause, type RunStatus, type RunTrigger, runStatuses, runTriggers } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { backfills } from "./backfills.js";

/** One execution of a selection of assets for one partition or one contiguous range. */
export const runs = almanac.table(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    /** The user's selector, as typed (dbt selection syntax). */
    selection: text("selection").notNull(),
    /** Assets the selection resolved to, upstream first. */
    assetKeys: text("asset_keys").array().notNull(),
    partitionsDef: text("partitions_def"),
    /** Inclusive first and last partition keys; null for a run without partitions. */
    partitionFrom: text("partition_from"),
    partitionTo: text("partition_to"),
    trigger: text("trigger").$type<RunTrigger>().notNull(),
    /**
     * Why an `automation` run ran: the rule and the upstream partitions whose update caused it
     * (`RunCause`); null for other triggers.
     */
    cause: jsonb("cause").$type<RunCause>(),
    backfillId: uuid("backfill_id").references(() => backfills.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** Last sign of life from the worker executing it; the reconciler re-enqueues runs whose heartbeat is old. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    workerId: text("worker_id"),
    /** Bumped by every `startRun`: the fencing token that keeps a late worker from finishing a newer attempt. */
    attempt: integer("attempt").notNull().default(0),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
  },
  (table) => [
    // Newest-first listing and its keyset cursor (scanned backwards).
    index("runs_created_at_idx").on(table.createdAt, table.id),
    // Listing by status, and the reconciler's scan of queued/running runs.
    index("runs_status_created_at_idx").on(table.status, table.createdAt),
    // A backfill's runs by status and wave: each finished run asks whether its wave or its
    // backfill still has open runs, and each starting run whether an earlier wave does; with
    // thousands of runs per backfill these must not read every run.
    index("runs_backfill_status_created_at_idx")
      .on(table.backfillId, table.status, table.createdAt)
      .where(sql`"backfill_id" is not null`),
    // "Runs that touched asset X".
    index("runs_asset_keys_idx").using("gin", table.assetKeys),
    check("runs_status_check", oneOf("status", runStatuses)),
    check("runs_trigger_check", oneOf("trigger", runTriggers)),
  ],
);
