export { buildApp } from "./app.js";
export type { AppOptions, RunQueue } from "./app-options.js";
export type { AutomationOptions, RunningAutomation } from "./automation/index.js";
export { startAutomation } from "./automation/index.js";
export type { FreshnessChecks, FreshnessChecksOptions } from "./freshness/start-freshness-checks.js";
export { startFreshnessChecks } from "./freshness/start-freshness-checks.js";
export type { ListenSafety } from "./loopback-rule.js";
export { assertSafeToListen, isLoopbackHost } from "./loopback-rule.js";
export type {
  NotificationDelivery,
  NotificationDeliveryOptions,
} from "./notifications/start-notification-delivery.js";
export { startNotificationDelivery } from "./notifications/start-notification-delivery.js";
export type { Reconciler, ReconcilerOptions } from "./reconciler/index.js";
export { startReconciler } from "./reconciler/index.js";
export type { RunningSchedules, SchedulesOptions } from "./schedules/index.js";
export { startSchedules } from "./schedules/index.js";
export type { RunningServer, ServerOptions } from "./server.js";
export { startServer } from "./server.js";
