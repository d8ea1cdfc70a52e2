// Schema

// Connections and migrations
export { migrate, migrationsFolder } from "./migrate.js";
export type {
  AssetPartitionRow,
  BackfillRow,
  RunEventRow,
  RunRow,
  RunStepRow,
  RunWithSteps,
  ScheduleStateRow,
  ScheduleTickRow,
} from "./row-types.js";
export {
  almanac,
  assetChecks,
  assetPartitions,
  backfills,
  backfillsRelations,
  runEvents,
  runEventsRelations,
  runSteps,
  runStepsRelations,
  runs,
  runsRelations,
  scheduleStates,
  scheduleTicks,
} from "./schema/index.js";
export type { NewRunEvent } from "./sql/append-run-events.js";
// Runs
export { appendRunEvents } from "./sql/append-run-events.js";
export type { AssetCodeVersion, AssetHealthCounts } from "./sql/asset-health-counts.js";
export { assetHealthCounts } from "./sql/asset-health-counts.js";
export type { AssetStatusCounts, AssetStatusCountsOptions } from "./sql/asset-status-counts.js";
// Asset partitions
export { assetStatusCounts } from "./sql/asset-status-counts.js";
export type {
  AutomationCandidate,
  AutomationCandidatesInput,
  AutomationUpstreamRange,
} from "./sql/automation-candidates.js";
export { automationCandidates, claimAutomation } from "./sql/automation-candidates.js";
export type { AutomationUpdate, AutomationUpdateInput } from "./sql/automation-updates.js";
export { takeAutomationUpdates } from "./sql/automation-updates.js";
export type { BackfillOpenRuns } from "./sql/backfill-open-runs.js";
export { backfillOpenRuns } from "./sql/backfill-open-runs.js";
// Backfills
export { backfillRunCounts } from "./sql/backfill-run-counts.js";
// Backfill runs, waves and progress
export type { BackfillRunGate } from "./sql/backfill-run-gate.js";
export { backfillRunGate } from "./sql/backfill-run-gate.js";
export type { BackfillStepCount } from "./sql/backfill-step-counts.js";
export { backfillStepCounts } from "./sql/backfill-step-counts.js";
export { backfillsRunCounts } from "./sql/backfills-run-counts.js";
export type { BeginStepInput } from "./sql/begin-step.js";
export { beginStep } from "./sql/begin-step.js";
export type { CanceledBackfillRuns } from "./sql/cancel-backfill-runs.js";
export { cancelBackfillRuns } from "./sql/cancel-backfill-runs.js";
export type { ClaimedDelivery } from "./sql/claim-notification-deliveries.js";
export { claimNotificationDeliveries, nextDeliveryDueMs } from "./sql/claim-notification-deliveries.js";
export type { OverduePartitionInput } from "./sql/claim-overdue-partition.js";
export { claimOverduePartition } from "./sql/claim-overdue-partition.js";
export type { CompleteBackfillInput } from "./sql/complete-backfill.js";
export { completeBackfill } from "./sql/complete-backfill.js";
export type { CompleteStepInput } from "./sql/complete-step.js";
export { completeStep } from "./sql/complete-step.js";
export { countSourceEvents } from "./sql/count-source-events.js";
export type { CreateBackfillInput } from "./sql/create-backfill.js";
export { createBackfill } from "./sql/create-backfill.js";
export type { CreateRunInput, NewRunStep } from "./sql/create-run.js";
export { createRun } from "./sql/create-run.js";
export type { NewRunRecord } from "./sql/create-runs.js";
export { createRuns } from "./sql/create-runs.js";
export { databaseNow } from "./sql/database-now.js";
// Reconciler
export type { RunAttempt } from "./sql/filter-queued-runs.js";
export { filterQueuedRuns } from "./sql/filter-queued-runs.js";
export type { FinishRunInput } from "./sql/finish-run.js";
export { finishRun } from "./sql/finish-run.js";
export type { FinishScheduleTickInput } from "./sql/finish-schedule-tick.js";
// Schedules
export { finishScheduleTick } from "./sql/finish-schedule-tick.js";
export type { FinishStepInput } from "./sql/finish-step.js";
export { finishStep } from "./sql/finish-step.js";
export { getAssetPartition } from "./sql/get-asset-partition.js";
export { getBackfill } from "./sql/get-backfill.js";
export { getRun } from "./sql/get-run.js";
export { getScheduleTick } from "./sql/get-schedule-tick.js";
// Schedule tick claims
export { getScheduleTickClaim } from "./sql/get-schedule-tick-claim.js";
export type { HeartbeatRunInput } from "./sql/heartbeat-run.js";
export { heartbeatRun } from "./sql/heartbeat-run.js";
export type { InsertScheduleTickInput, InsertScheduleTickResult } from "./sql/insert-schedule-tick.js";
export { insertScheduleTick } from "./sql/insert-schedule-tick.js";
export type { ListAssetPartitionsOptions } from "./sql/list-asset-partitions.js";
export { listAssetPartitions } from "./sql/list-asset-partitions.js";
export type { BackfillFailedPartition } from "./sql/list-backfill-failed-partitions.js";
export { listBackfillFailedPartitions } from "./sql/list-backfill-failed-partitions.js";
export type { ListBackfillsOptions } from "./sql/list-backfills.js";
export { listBackfills } from "./sql/list-backfills.js";
export { listCheckResults } from "./sql/list-check-results.js";
export type { CheckStatusQuery } from "./sql/list-check-statuses.js";
export { listCheckStatuses } from "./sql/list-check-statuses.js";
export { listClaimedSchedulePartitions } from "./sql/list-claimed-schedule-partitions.js";
export type {
  ListNotificationDeliveriesOptions,
  NotificationDeliveryPage,
  NotificationDeliveryRow,
} from "./sql/list-notification-deliveries.js";
export { listNotificationDeliveries } from "./sql/list-notification-deliveries.js";
export type { ListPartitionEntriesOptions, PartitionEntryRow } from "./sql/list-partition-entries.js";
export { listPartitionEntries } from "./sql/list-partition-entries.js";
export type { PartitionStatusRow } from "./sql/list-partition-statuses.js";
export { listPartitionStatuses } from "./sql/list-partition-statuses.js";
export type { ListQueuedRunsOptions, QueuedRunRef } from "./sql/list-queued-runs.js";
export { listQueuedRuns } from "./sql/list-queued-runs.js";
export type { ListRunEventsOptions } from "./sql/list-run-events.js";
export { listRunEvents } from "./sql/list-run-events.js";
export type { ListRunsOptions, RunPage } from "./sql/list-runs.js";
export { listRuns } from "./sql/list-runs.js";
export { listScheduleStates } from "./sql/list-schedule-states.js";
export type { ListScheduleTicksOptions } from "./sql/list-schedule-ticks.js";
export { listScheduleTicks } from "./sql/list-schedule-ticks.js";
export type { ListUnfinishedRunsOptions } from "./sql/list-unfinished-runs.js";
export { listUnfinishedRuns } from "./sql/list-unfinished-runs.js";
export type { AssetPartitionKey } from "./sql/list-unmaterialized-partitions.js";
export { listUnmaterializedPartitions } from "./sql/list-unmaterialized-partitions.js";
export { markPartitionBatchesQueued } from "./sql/mark-partition-batches-queued.js";
export type { FailedBatch } from "./sql/mark-partitions-failed.js";
export { markPartitionsFailed } from "./sql/mark-partitions-failed.js";
export type { MaterializedBatch } from "./sql/mark-partitions-materialized.js";
export { markPartitionsMaterialized } from "./sql/mark-partitions-materialized.js";
export { markPartitionsQueued } from "./sql/mark-partitions-queued.js";
export { markPartitionsRunning } from "./sql/mark-partitions-running.js";
export type { PartitionBatch } from "./sql/partition-keys.js";
export type { PartitionStatusStringOptions } from "./sql/partition-status-string.js";
export { partitionStatusChars, partitionStatusString } from "./sql/partition-status-string.js";
export type { KeyedPartitionStatus } from "./sql/partition-statuses-of.js";
export { partitionStatusesOf } from "./sql/partition-statuses-of.js";
export type { ReadyBackfillRunsOptions, RunToStart } from "./sql/ready-backfill-runs.js";
export { readyBackfillRuns } from "./sql/ready-backfill-runs.js";
export { reclaimWrittenPartitions } from "./sql/reclaim-written-partitions.js";
export type { CheckResultInput } from "./sql/record-check-results.js";
export { recordCheckResults } from "./sql/record-check-results.js";
export type { DeliveryOutcome } from "./sql/record-delivery-outcome.js";
export { recordDeliveryOutcome } from "./sql/record-delivery-outcome.js";
export type { RecordScheduleTickRunInput } from "./sql/record-schedule-tick-run.js";
export { recordScheduleTickRun } from "./sql/record-schedule-tick-run.js";
export type { NewSourceEvent, SourceEventRow } from "./sql/record-source-event.js";
export { recordSourceEvent } from "./sql/record-source-event.js";
export type { ReleaseAbandonedScheduleTickInput } from "./sql/release-abandoned-schedule-tick.js";
export { releaseAbandonedScheduleTick } from "./sql/release-abandoned-schedule-tick.js";
export type { ReleaseRunPartitionsInput } from "./sql/release-run-partitions.js";
export { releaseRunPartitions } from "./sql/release-run-partitions.js";
export { renewQueuedRuns } from "./sql/renew-queued-runs.js";
export { requestRunCancel } from "./sql/request-run-cancel.js";
export type { SetScheduleEnabledInput } from "./sql/set-schedule-enabled.js";
export { setScheduleEnabled } from "./sql/set-schedule-enabled.js";
export { skipBlockedBackfillRuns } from "./sql/skip-blocked-backfill-runs.js";
export type { MappedUpstreamRange, StalenessUpstream } from "./sql/staleness-upstream.js";
export type { StartRunInput } from "./sql/start-run.js";
export { startRun } from "./sql/start-run.js";
export type { StartStepInput } from "./sql/start-step.js";
export { startStep } from "./sql/start-step.js";
export type { TakenOverRun, TakeOverStaleRunsInput } from "./sql/take-over-stale-runs.js";
export { takeOverStaleRuns } from "./sql/take-over-stale-runs.js";
export type { UpdateBackfillInput } from "./sql/update-backfill.js";
export { updateBackfill } from "./sql/update-backfill.js";
export type {
  BackfillOnlyStatus,
  BackfillPolicy,
  BackfillStatus,
  CheckSeverity,
  CheckStatus,
  DeliveryStatus,
  EventLevel,
  FinalRunStatus,
  NotificationEventType,
  PartitionStatus,
  RunCause,
  RunStatus,
  RunTrigger,
  StepKind,
  StepStatus,
  TickStatus,
} from "./statuses.js";
export {
  backfillOnlyStatuses,
  backfillPolicies,
  backfillStatuses,
  checkSeverities,
  checkStatuses,
  deliveryStatuses,
  eventLevels,
  finalRunStatuses,
  notificationEventTypes,
  partitionStatuses,
  runStatuses,
  runTriggers,
  stepKinds,
  stepStatuses,
  tickStatuses,
} from "./statuses.js";
export type { StoreDb } from "./store-db.js";
export { storeDb } from "./store-db.js";
