import { relations } from "drizzle-orm";
import { backfills } from "./backfills.js";
import { runEvents } from "./run-events.js";
import { runSteps } from "./run-steps.js";
import { runs } from "./runs.js";

/** Relations for drizzle's relational queries (`db.query.runs.findFirst({ with: { steps: true } })`). */
export const runsRelations = relations(runs, ({ many, one }) => ({
  steps: many(runSteps),
  events: many(runEvents),
  backfill: one(backfills, { fields: [runs.backfillId], references: [backfills.id] }),
}));

export const runStepsRelations = relations(runSteps, ({ one }) => ({
  run: one(runs, { fields: [runSteps.runId], references: [runs.id] }),
}));

export const runEventsRelations = relations(runEvents, ({ one }) => ({
  run: one(runs, { fields: [runEvents.runId], references: [runs.id] }),
}));

export const backfillsRelations = relations(backfills, ({ many }) => ({
  runs: many(runs),
}));
