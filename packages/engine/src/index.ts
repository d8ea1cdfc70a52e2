export type { DependencyMapping } from "./asset-dependencies.js";
export { dependencyMappings, upstreamPartitionsOf } from "./asset-dependencies.js";
export type { AssetFreshness } from "./asset-freshness.js";
export { assetFreshness, checkFreshness, freshnessDeadline } from "./asset-freshness.js";
export type { AssetHealth } from "./asset-health.js";
export { assetHealth } from "./asset-health.js";
export type { AssetPartitionGrid, GridQuery } from "./asset-partition-grid.js";
export { assetPartitionGrid } from "./asset-partition-grid.js";
export type { AssetSummary } from "./asset-summaries.js";
export { assetSummaries } from "./asset-summaries.js";
// Backfills
export type { BackfillOnly } from "./backfill-only.js";
export { backfillOnlyValues } from "./backfill-only.js";
export type { BackfillPlanOptions, PlannedBackfillRun } from "./backfill-plan.js";
export { planBackfill } from "./backfill-plan.js";
export type {
  BackfillPartitionCounts,
  BackfillProgress,
  BackfillRunCounts,
  BackfillSummary,
} from "./backfill-progress.js";
export {
  backfillStatusOf,
  getBackfillProgress,
  isFinalBackfillStatus,
  listBackfillSummaries,
  refreshBackfillStatus,
} from "./backfill-progress.js";
export type { RunTurn } from "./backfill-run-turn.js";
export { afterBackfillRun, executeRunInTurn } from "./backfill-run-turn.js";
export { cancelBackfill } from "./cancel-backfill.js";
export { cancelRun } from "./cancel-run.js";
export { codeVersion } from "./code-version.js";
export type { CompileOptions } from "./compile-model.js";
export { compileModel } from "./compile-model.js";
export type { EngineContext, ExecuteOptions, StepReport } from "./engine-context.js";
export type { AutomationPass, AutomationRun } from "./evaluate-automation.js";
export { automationBatchSize, evaluateAutomation } from "./evaluate-automation.js";
export type { ExecuteBackfillOptions } from "./execute-backfill.js";
export { executeBackfill } from "./execute-backfill.js";
export type { RunResult } from "./execute-run.js";
export { executeRun } from "./execute-run.js";
export type { SeedReport } from "./load-seeds.js";
export { loadSeeds } from "./load-seeds.js";
export type { MaterializeOptions } from "./materialize-selection.js";
export { materializeSelection, planRequest, policyOf } from "./materialize-selection.js";
export type { NotificationBody } from "./notification-body.js";
export { deliveryBackoffMs, notificationBody, webhookSignature } from "./notification-body.js";
export type { PartitionStatus, PartitionStatusEntry, StatusQuery } from "./partition-statuses.js";
export { assetPartitionStatuses } from "./partition-statuses.js";
export type { PlannedStep, PlanOptions } from "./plan-run.js";
export { planRun } from "./plan-run.js";
export type { ReconcileOptions, ReconcileReport, RunJobState, RunJobs } from "./reconcile-runs.js";
export { reconcileRuns } from "./reconcile-runs.js";
export type { RecordedBackfill } from "./record-backfill.js";
export type { SourceEventRequest } from "./report-source-event.js";
export { reportSourceEvent } from "./report-source-event.js";
export type { BackfillRequest, RequestBackfillOptions } from "./request-backfill.js";
export { defaultMaxBackfillPartitions, requestBackfill } from "./request-backfill.js";
export type { RequestRunOptions } from "./request-run.js";
export { requestRun } from "./request-run.js";
export type { RetryBackfillOptions } from "./retry-backfill.js";
export { retryBackfill } from "./retry-backfill.js";
export type { CheckOutcome } from "./run-checks.js";
export { checksOf, runChecks, seeFailures } from "./run-checks.js";
export type { RunEvent } from "./run-events.js";
export { stepLabel } from "./run-events.js";
export { stepHeartbeatMs } from "./run-heartbeat.js";
export type { ResolvedRequest, RunRequest } from "./run-request.js";
export { resolveRunRequest } from "./run-request.js";
export type { CatchUpOptions, CatchUpReport } from "./schedule-catch-up.js";
export { catchUpSchedules } from "./schedule-catch-up.js";
export type { ResolvedSchedule } from "./schedule-lookup.js";
export { findSchedule } from "./schedule-lookup.js";
export type { ScheduleSummary, ScheduleSummaryOptions } from "./schedule-summaries.js";
export { scheduleSummaries, scheduleSummary, switchSchedule } from "./schedule-summaries.js";
export type { EnqueueRun, FireTickOptions, TickOutcome } from "./schedule-tick.js";
export { fireScheduleTick } from "./schedule-tick.js";
export { nextScheduleTick, scheduleTicksBetween } from "./schedule-times.js";
export type { RunTrigger, SubmitOptions, SubmittedRun } from "./submit-run.js";
export { submitRun } from "./submit-run.js";
export type { TestedAsset, TestSelectionOptions } from "./test-selection.js";
export { testSelection } from "./test-selection.js";
