import { check, integer, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type CheckSeverity, type CheckStatus, checkSeverities, checkStatuses } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";

/**
 * The last result of each check (a dbt test) on each asset partition ('' for a non-partitioned
 * asset). A check runs after the partition's data committed, scoped to its window, and again on
 * every `almanac test`; each run replaces the row.
 */
export const assetChecks = almanac.table(
  "asset_checks",
  {
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull(),
    /** dbt's test name, e.g. `unique_orders_order_id` or a singular test's file name. */
    checkName: text("check_name").notNull(),
    status: text("status").$type<CheckStatus>().notNull(),
    severity: text("severity").$type<CheckSeverity>().notNull(),
    /** Rows the test query returned (its failures); null when the test could not run. */
    failures: integer("failures"),
    /** Why the test could not run (its SQL error), or null. */
    message: text("message"),
    /** The run that materialized the partition, or null for `almanac test`. */
    runId: uuid("run_id"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: "asset_checks_pkey", columns: [table.assetKey, table.partitionKey, table.checkName] }),
    check("asset_checks_status_check", oneOf("status", checkStatuses)),
    check("asset_checks_severity_check", oneOf("severity", checkSeverities)),
  ],
);
