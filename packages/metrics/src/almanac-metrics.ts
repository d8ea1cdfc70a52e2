import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every Prometheus metric Almanac exports, named and described here and nowhere else. Labels
 * carry asset keys, statuses, schedule names and backfill ids — never partition keys, whose
 * number grows without bound.
 *
 * Counters and the step histogram move in the process that executes runs (the worker); the
 * gauges describe shared state (the queue, the store) and are read at each `render` (scrape)
 * from the sources a process hands to {@link AlmanacMetrics.observeState} — the server does, so the
 * shared state is reported once however many workers run.
 */
export interface AlmanacMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  /** Counts a run that finished (the status it ended with). */
  runFinished(status: string): void;
  /** Counts a finished step and its rows, and observes its duration. */
  stepFinished(step: FinishedStep): void;
  /** Counts a run automation requested for an eager asset (in the server that recorded it). */
  automationRequested(asset: string): void;
  /** Counts one webhook delivery attempt of a notification: `delivered`, `retry` (failed, tried again later) or `failed` (given up). */
  webhookDelivery(notification: string, outcome: "delivered" | "retry" | "failed"): void;
  /** Sets (or replaces) where the scrape-time gauges read from. */
  observeState(sources: StateSources): void;
  /** The Prometheus text exposition of everything above. */
  render(): Promise<string>;
}

/** What a step reports (a subset of the engine's `StepReport`). */
export interface FinishedStep {
  readonly assetKey: string;
  readonly status: string;
  readonly durationMs: number;
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
}

/** Readers of the shared state behind the gauges; a missing one leaves its gauge empty. */
export interface StateSources {
  /** BullMQ job counts of the run queue by state (`waiting`, `active`, `delayed`, `failed`, …). */
  readonly queueJobs?: () => Promise<Readonly<Record<string, number>>>;
  /** Per asset, partition counts by status (`materialized`, `failed`, `running`, `queued`, `missing`). */
  readonly assetPartitions?: () => Promise<readonly { asset: string; counts: Readonly<Record<string, number>> }[]>;
  /** Backfills not finished yet, with their asset partitions by status. */
  readonly activeBackfills?: () => Promise<readonly { id: string; counts: Readonly<Record<string, number>> }[]>;
  /** Per schedule, seconds between its latest tick's scheduled instant and when it fired. */
  readonly scheduleTickLag?: () => Promise<readonly { schedule: string; lagSeconds: number }[]>;
  /** Per source table (`source.table`), the source events loaders reported. */
  readonly sourceEvents?: () => Promise<ReadonlyMap<string, number>>;
  /** Per asset with a freshness policy, whether its latest partition is overdue. */
  readonly assetOverdue?: () => Promise<readonly { asset: string; overdue: boolean }[]>;
}

/** Step durations: from a view swap (milliseconds) to an hour-long backfill step. */
const stepDurationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export interface AlmanacMetricsOptions {
  /** Include prom-client's process and Node.js metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
}

/** A registry with Almanac's metrics (and, by default, the process and Node.js ones). */
export function createAlmanacMetrics(options: AlmanacMetricsOptions = {}): AlmanacMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: StateSources = {};

  const runsFinished = new Counter({
    name: "almanac_runs_finished_total",
    help: "Runs finished by this process, by final status (succeeded, failed, canceled).",
    labelNames: ["status"],
    registers,
  });
  const stepsFinished = new Counter({
    name: "almanac_steps_finished_total",
    help: "Steps (one asset of a run) finished by this process, by asset and status (succeeded, failed, skipped).",
    labelNames: ["asset", "status"],
    registers,
  });
  const stepDuration = new Histogram({
    name: "almanac_step_duration_seconds",
    help: "Wall time of a step, by asset.",
    labelNames: ["asset"],
    buckets: stepDurationBuckets,
    registers,
  });
  const rowsWritten = new Counter({
    name: "almanac_rows_written_total",
    help: "Rows inserted or merged into the warehouse by finished steps, by asset.",
    labelNames: ["asset"],
    registers,
  });
  const rowsDeleted = new Counter({
    name: "almanac_rows_deleted_total",
    help: "Rows deleted from the warehouse by finished steps (window overwrite), by asset.",
    labelNames: ["asset"],
    registers,
  });
  const automationRuns = new Counter({
    name: "almanac_automation_runs_total",
    help: "Runs automation (automation: eager) requested, by the eager asset they build.",
    labelNames: ["asset"],
    registers,
  });
  const webhookDeliveries = new Counter({
    name: "almanac_webhook_deliveries_total",
    help: "Notification webhook POSTs by this process, by notification and outcome (delivered, retry, failed).",
    labelNames: ["notification", "outcome"],
    registers,
  });
  const collectErrors = new Counter({
    name: "almanac_metrics_collect_errors_total",
    help: "Scrapes where a gauge's source (Postgres, Redis) failed; that gauge is left empty for the scrape.",
    labelNames: ["gauge"],
    registers,
  });

  /** Gauges filled from `sources` at each `render`, before the registry is written out. */
  const refills: (() => Promise<void>)[] = [];
  function stateGauge(name: string, help: string, labelNames: string[], fill: (gauge: Gauge) => Promise<void>) {
    const gauge = new Gauge({ name, help, labelNames, registers });
    refills.push(async () => {
      gauge.reset();
      try {
        await fill(gauge);
      } catch {
        // A failing source (Postgres or Redis down) empties its gauge; the scrape still answers.
        gauge.reset();
        collectErrors.inc({ gauge: name });
      }
    });
  }

  stateGauge("almanac_queue_jobs", "Jobs in the run queue, by BullMQ state.", ["state"], async (gauge) => {
    const counts = await sources.queueJobs?.();
    for (const [state, n] of Object.entries(counts ?? {})) gauge.set({ state }, n);
  });
  stateGauge(
    "almanac_asset_partitions",
    "Partitions of each asset by status (materialized, failed, running, queued, missing); a non-partitioned asset has one.",
    ["asset", "status"],
    async (gauge) => {
      for (const { asset, counts } of (await sources.assetPartitions?.()) ?? []) {
        for (const [status, n] of Object.entries(counts)) gauge.set({ asset, status }, n);
      }
    },
  );
  stateGauge(
    "almanac_backfill_partitions",
    "Asset partitions of each unfinished backfill by status (queued, running, materialized, failed, canceled).",
    ["backfill_id", "status"],
    async (gauge) => {
      for (const { id, counts } of (await sources.activeBackfills?.()) ?? []) {
        for (const [status, n] of Object.entries(counts)) gauge.set({ backfill_id: id, status }, n);
      }
    },
  );
  stateGauge(
    "almanac_schedule_tick_lag_seconds",
    "Seconds between a schedule's latest tick's scheduled instant and when it fired.",
    ["schedule"],
    async (gauge) => {
      for (const { schedule, lagSeconds } of (await sources.scheduleTickLag?.()) ?? [])
        gauge.set({ schedule }, lagSeconds);
    },
  );

  stateGauge(
    "almanac_source_events",
    "Source events reported per source table (POST /api/sources/:source/events, almanac report), as the store holds them.",
    ["source"],
    async (gauge) => {
      for (const [source, n] of (await sources.sourceEvents?.()) ?? []) gauge.set({ source }, n);
    },
  );

  stateGauge(
    "almanac_asset_overdue",
    "1 when an asset's latest partition is past its freshness deadline (max_lag after its window ended) and not materialized, else 0; only assets with freshness:.",
    ["asset"],
    async (gauge) => {
      for (const { asset, overdue } of (await sources.assetOverdue?.()) ?? []) gauge.set({ asset }, overdue ? 1 : 0);
    },
  );

  return {
    registry,
    runFinished(status) {
      runsFinished.inc({ status });
    },
    automationRequested(asset) {
      automationRuns.inc({ asset });
    },
    stepFinished(step) {
      stepsFinished.inc({ asset: step.assetKey, status: step.status });
      stepDuration.observe({ asset: step.assetKey }, step.durationMs / 1000);
      if (step.rowsWritten > 0) rowsWritten.inc({ asset: step.assetKey }, step.rowsWritten);
      if (step.rowsDeleted > 0) rowsDeleted.inc({ asset: step.assetKey }, step.rowsDeleted);
    },
    webhookDelivery(notification, outcome) {
      webhookDeliveries.inc({ notification, outcome });
    },
    observeState(next) {
      sources = { ...sources, ...next };
    },
    async render() {
      await Promise.all(refills.map((refill) => refill()));
      return registry.metrics();
    },
  };
}
