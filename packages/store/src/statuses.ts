/**
 * The closed sets of strings the store accepts. Each list is the one source for its TypeScript
 * union and for the CHECK constraint of its column, so the two cannot drift apart.
 */

/** Lifecycle of a run. `succeeded`, `failed` and `canceled` are final. */
export const runStatuses = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type RunStatus = (typeof runStatuses)[number];
/** Statuses a run never leaves. */
export const finalRunStatuses = ["succeeded", "failed", "canceled"] as const;
export type FinalRunStatus = (typeof finalRunStatuses)[number];

/** What started a run. */
export const runTriggers = ["cli", "api", "backfill", "schedule", "automation"] as const;
export type RunTrigger = (typeof runTriggers)[number];

/** Why an automation run ran: its rule (`automation: eager` of `assets[i]`) and the updates it answered. */
export interface RunCause {
  readonly rule: string;
  /** The updated upstream partitions (inclusive ranges; no keys = all of it) that made it due. */
  readonly upstream: readonly { readonly asset: string; readonly from?: string; readonly to?: string }[];
}

/** Lifecycle of one step (one model over one chunk of partitions) of a run. */
export const stepStatuses = ["queued", "running", "succeeded", "failed", "skipped", "canceled"] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** What a step does. Only models for now; checks and seeds may follow. */
export const stepKinds = ["model"] as const;
export type StepKind = (typeof stepKinds)[number];

/** Stored status of an asset partition. "missing" is not stored: it is the absence of a row. */
export const partitionStatuses = ["queued", "running", "materialized", "failed"] as const;
export type PartitionStatus = (typeof partitionStatuses)[number];

/** Severity of a run event. */
export const eventLevels = ["debug", "info", "warn", "error"] as const;
export type EventLevel = (typeof eventLevels)[number];

/** Lifecycle of a backfill. */
export const backfillStatuses = ["requested", "running", "completed", "completed_with_failures", "canceled"] as const;
export type BackfillStatus = (typeof backfillStatuses)[number];

/** How a backfill splits its range into runs. */
export const backfillPolicies = ["single_run", "multi_run"] as const;
export type BackfillPolicy = (typeof backfillPolicies)[number];

/** Which partitions of the range a backfill targets; none = all of them. */
export const backfillOnlyStatuses = ["missing", "failed", "missing_or_failed"] as const;
export type BackfillOnlyStatus = (typeof backfillOnlyStatuses)[number];

/** Outcome of one schedule tick. */
export const tickStatuses = ["started", "skipped", "succeeded", "failed"] as const;
export type TickStatus = (typeof tickStatuses)[number];

/** Outcome of one check (a dbt test) on one asset partition: no failing rows, failing rows at `warn`, at `error`. */
export const checkStatuses = ["passed", "warned", "failed"] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** dbt's test severity: `error` fails the partition's check, `warn` records it. */
export const checkSeverities = ["warn", "error"] as const;
export type CheckSeverity = (typeof checkSeverities)[number];

/**
 * Events a notification can subscribe to (almanac.yml `notifications[].on`; the project
 * package's `notificationEvents` lists the same names, and a test keeps the two equal).
 */
export const notificationEventTypes = ["run_failed", "backfill_completed", "check_failed", "asset_overdue"] as const;
export type NotificationEventType = (typeof notificationEventTypes)[number];

/** A notification delivery: waiting (first try or a retry), accepted by the receiver (2xx), or given up. */
export const deliveryStatuses = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
