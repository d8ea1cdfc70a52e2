import type {
  assetPartitions,
  backfills,
  runEvents,
  runSteps,
  runs,
  scheduleStates,
  scheduleTicks,
} from "./schema/index.js";

/** A row of `almanac.runs`. */
export type RunRow = typeof runs.$inferSelect;
/** A row of `almanac.run_steps`. */
export type RunStepRow = typeof runSteps.$inferSelect;
/** A row of `almanac.run_events`. */
export type RunEventRow = typeof runEvents.$inferSelect;
/** A row of `almanac.asset_partitions`. */
export type AssetPartitionRow = typeof assetPartitions.$inferSelect;
/** A row of `almanac.backfills`. */
export type BackfillRow = typeof backfills.$inferSelect;
/** A row of `almanac.schedule_ticks`. */
export type ScheduleTickRow = typeof scheduleTicks.$inferSelect;
/** A row of `almanac.schedule_states`. */
export type ScheduleStateRow = typeof scheduleStates.$inferSelect;

/** A run with its steps in order. */
export interface RunWithSteps extends RunRow {
  readonly steps: RunStepRow[];
}
