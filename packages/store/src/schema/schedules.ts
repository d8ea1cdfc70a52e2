import { sql } from "drizzle-orm";
import { boolean, check, index, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { type TickStatus, tickStatuses } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { runs } from "./runs.js";

/**
 * One firing of a schedule. A tick that launches a run first claims its (schedule, partition):
 * the partial unique index `schedule_ticks_claim_key` admits one `started`/`succeeded` row per
 * pair, so two firings for the same partition (a retried tick, a restart's catch-up, several
 * servers) launch one run; the others are recorded `skipped`. Skipped and failed rows are free,
 * so a failed launch can be tried again by a later firing.
 */
export const scheduleTicks = almanac.table(
  "schedule_ticks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    scheduleName: text("schedule_name").notNull(),
    /** The scheduled instant (from the cron expression), not the time it was evaluated. */
    tickTime: timestamp("tick_time", { withTimezone: true }).notNull(),
    /** The partition the tick targets (the last complete one); null for an unpartitioned selection. */
    partitionKey: text("partition_key"),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    status: text("status").$type<TickStatus>().notNull().default("started"),
    /** Why the tick was skipped or failed. */
    message: text("message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("schedule_ticks_claim_key")
      .on(table.scheduleName, table.partitionKey)
      .where(sql`"status" in ('started', 'succeeded')`),
    // A schedule's latest ticks (GET /api/schedules), and catch-up's "which instants ran".
    index("schedule_ticks_schedule_name_tick_time_idx").on(table.scheduleName, table.tickTime),
    index("schedule_ticks_created_at_idx").on(table.createdAt),
    check("schedule_ticks_status_check", oneOf("status", tickStatuses)),
  ],
);

/** Whether a schedule is switched on. No row = the default from almanac.yml applies. */
export const scheduleStates = almanac.table("schedule_states", {
  scheduleName: text("schedule_name").primaryKey(),
  enabled: boolean("enabled").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
