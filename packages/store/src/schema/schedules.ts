import { boolean, check, index, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { type TickStatus, tickStatuses } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { runs } from "./runs.js";

/** One firing of a schedule. The unique (schedule, instant) pair makes a tick run at most once. */
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
    unique("schedule_ticks_schedule_name_tick_time_key").on(table.scheduleName, table.tickTime),
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
