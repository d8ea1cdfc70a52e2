import { bigserial, check, index, integer, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type EventLevel, eventLevels } from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";
import { runs } from "./runs.js";

/** A run's log: what happened, in order (`id` is the order and the paging cursor). */
export const runEvents = almanac.table(
  "run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** The step the event belongs to; null for run-level events. */
    stepIdx: integer("step_idx"),
    level: text("level").$type<EventLevel>().notNull().default("info"),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("run_events_run_id_id_idx").on(table.runId, table.id),
    check("run_events_level_check", oneOf("level", eventLevels)),
  ],
);
