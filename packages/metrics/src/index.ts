export type { AlmanacMetrics, AlmanacMetricsOptions, FinishedStep, StateSources } from "./almanac-metrics.js";
export { createAlmanacMetrics } from "./almanac-metrics.js";
export type { MetricsServer } from "./metrics-server.js";
export { startMetricsServer } from "./metrics-server.js";
