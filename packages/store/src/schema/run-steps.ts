import { bigint, check, integer, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type StepKind, type StepStatus, stepKinds, stepStatuses } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { runs } from "./runs.js";

/** One step of a run: one model over one contiguous chunk of partitions (or unpartitioned). */
export const runSteps = almanac.table(
  "run_steps",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** Position in the run, from 0. */
    idx: integer("idx").notNull(),
    assetKey: text("asset_key").notNull(),
    kind: text("kind").$type<StepKind>().notNull().default("model"),
    partitionFrom: text("partition_from"),
    partitionTo: text("partition_to"),
    status: text("status").$type<StepStatus>().notNull().default("queued"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    rowsWritten: bigint("rows_written", { mode: "number" }),
    rowsDeleted: bigint("rows_deleted", { mode: "number" }),
    /** The SQL that ran, kept so a failed step shows what Postgres rejected. */
    renderedSql: text("rendered_sql"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
  },
  (table) => [
    primaryKey({ name: "run_steps_pkey", columns: [table.runId, table.idx] }),
    check("run_steps_status_check", oneOf("status", stepStatuses)),
    check("run_steps_kind_check", oneOf("kind", stepKinds)),
  ],
);
