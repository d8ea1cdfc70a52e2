import { sql } from "drizzle-orm";
import { type AnyPgColumn, check, index, integer, text, timestamp, uuid } from "drizzle-orm/pg-core";
import {
  type BackfillOnlyStatus,
  type BackfillPolicy,
  type BackfillStatus,
  backfillOnlyStatuses,
  backfillPolicies,
  backfillStatuses,
} from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";

/** A request to materialize a range of partitions, split into runs by a backfill policy. */
export const backfills = almanac.table(
  "backfills",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The user's selector, as typed (dbt selection syntax). */
    selection: text("selection").notNull(),
    /** Assets the selection resolved to when the backfill was requested. */
    assetKeys: text("asset_keys").array().notNull().default([]),
    partitionsDef: text("partitions_def"),
    /** Inclusive first and last partition keys of the requested range. */
    partitionFrom: text("partition_from"),
    partitionTo: text("partition_to"),
    policy: text("policy").$type<BackfillPolicy>().notNull().default("single_run"),
    maxPartitionsPerRun: integer("max_partitions_per_run"),
    /** Restrict the range to partitions in this state when the backfill is planned; null = all. */
    onlyStatus: text("only_status").$type<BackfillOnlyStatus>(),
    status: text("status").$type<BackfillStatus>().notNull().default("requested"),
    /** The backfill this one retries. */
    parentId: uuid("parent_id").references((): AnyPgColumn => backfills.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Partitions targeted once planned (after the `only_status` filter). */
    partitionCount: integer("partition_count").notNull().default(0),
    /** Runs the backfill was split into. */
    runCount: integer("run_count").notNull().default(0),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
  },
  (table) => [
    index("backfills_created_at_idx").on(table.createdAt, table.id),
    index("backfills_status_idx").on(table.status, table.createdAt),
    check("backfills_status_check", oneOf("status", backfillStatuses)),
    check("backfills_policy_check", oneOf("policy", backfillPolicies)),
    check("backfills_only_status_check", oneOf("only_status", backfillOnlyStatuses)),
    check("backfills_max_partitions_per_run_check", sql`"max_partitions_per_run" > 0`),
  ],
);
