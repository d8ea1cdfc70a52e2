import type { Project, Target } from "@almanac/project";
import type pg from "pg";

/** Everything a run needs from the outside world, built once at the edge (CLI, worker). */
export interface EngineContext {
  readonly project: Project;
  readonly target: Target;
  /** Pool on the warehouse, where models are written. */
  readonly warehouse: pg.Pool;
  /** Pool on the store, where statuses, runs and events are kept. May be the same pool. */
  readonly store: pg.Pool;
  /**
   * True when warehouse and store are one database: a partition's status then commits in the
   * same transaction as its data (DESIGN §3.3). Otherwise status is written right after.
   */
  readonly sharedTransaction: boolean;
  /**
   * Bound on each statement of a step, in ms (`ALMANAC_STEP_TIMEOUT_MS`); a statement that runs
   * longer fails its partitions with `ALMANAC_STEP_TIMEOUT`, not retried. 0 = no limit.
   * Default 3 600 000 (one hour, see `defaultStepTimeoutMs`).
   */
  readonly stepTimeoutMs?: number;
  /** Run-level vars (`--vars`), below the window vars and above project vars. */
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** What a step reports to whoever watches a run (the CLI's progress lines, say). */
export interface StepReport {
  readonly idx: number;
  readonly total: number;
  readonly assetKey: string;
  /** The model's materialization: a view "writes" no rows, so progress lines say so. */
  readonly materialized: string;
  readonly partitionFrom?: string;
  readonly partitionTo?: string;
  readonly status: "succeeded" | "failed" | "skipped";
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
  readonly durationMs: number;
  readonly warnings: readonly string[];
  /** The render's `log(…, info=True)` messages, in order (dbt prints them during the run). */
  readonly logs: readonly string[];
  /** The step had nothing to do: a view whose SQL did not change since its last build. */
  readonly unchanged: boolean;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface ExecuteOptions {
  /** Who executes the run, recorded on it. Default `<hostname>:<pid>`. */
  readonly workerId?: string;
  /** Called after each step, in order; awaited before the next step starts. */
  readonly onStep?: (report: StepReport) => void | Promise<void>;
}
