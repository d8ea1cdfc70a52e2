export { almanac } from "./almanac-schema.js";
export { assetChecks } from "./asset-checks.js";
export { assetPartitions } from "./asset-partitions.js";
export { backfills } from "./backfills.js";
export { backfillsRelations, runEventsRelations, runStepsRelations, runsRelations } from "./relations.js";
export { runEvents } from "./run-events.js";
export { runSteps } from "./run-steps.js";
export { runs } from "./runs.js";
export { scheduleStates, scheduleTicks } from "./schedules.js";
