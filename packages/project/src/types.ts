import type { PartitionsDefinition, TimeWindowMapping } from "@almanac/partitions";
import type { AssetAutomation } from "./asset-rules.js";
import type { DataTest } from "./data-tests.js";
import type { FreshnessPolicy } from "./freshness-config.js";
import type { NotificationConfig } from "./notifications-config.js";
import type { WarehouseQuery } from "./query-table.js";

/** `snapshot` is set by `{% snapshot %}` blocks in snapshot-paths, never by a model's config. */
export type Materialization = "view" | "table" | "incremental" | "ephemeral" | "snapshot";
export type IncrementalStrategy = "append" | "delete+insert" | "merge" | "window_overwrite" | "microbatch";
export type OnSchemaChange = "ignore" | "fail" | "append_new_columns" | "sync_all_columns";

/** A model's resolved config: dbt_project.yml folder config < properties yml < `config()` in SQL. */
export interface ModelConfig {
  materialized: Materialization;
  /** Custom schema (dbt `+schema`); the relation's schema is `<target.schema>_<schema>` the dbt way. */
  schema?: string;
  alias?: string;
  tags: string[];
  incremental_strategy?: IncrementalStrategy;
  unique_key?: string | string[];
  /** Time column that partitions filter on (dbt `event_time`). */
  event_time?: string;
  on_schema_change: OnSchemaChange;
  /** Name of the partitions definition this model is partitioned by (config or almanac.yml). */
  partitions?: string;
  full_refresh?: boolean;
  enabled: boolean;
  /** dbt `pre-hook`s, every level's (folders first, then properties yml, then `config()`), unrendered. Absent when none. */
  pre_hook?: string[];
  /** dbt `post-hook`s, in the same order, unrendered. Absent when none. */
  post_hook?: string[];
  /** Any other keys the project sets; kept, never interpreted. */
  [key: string]: unknown;
}

export interface Model {
  /** Asset key: the model's name (file name without `.sql`). */
  readonly name: string;
  /** Path relative to the project dir, POSIX separators, e.g. `models/staging/stg_trips.sql`. */
  readonly path: string;
  /** Raw template source. */
  readonly rawSql: string;
  readonly config: Readonly<ModelConfig>;
  /** Names of models this model `ref`s, in first-seen order. */
  readonly refs: readonly string[];
  /** `[sourceName, tableName]` pairs this model reads. */
  readonly sources: readonly (readonly [string, string])[];
  /** Folder path under the model path, e.g. `["staging"]`; used by `path:` selection and folder config. */
  readonly folders: readonly string[];
  /** Names of seeds this model `ref`s (seeds are tables loaded from CSV, not assets of the DAG). */
  readonly seedRefs: readonly string[];
  /** `description` from the model's properties yml. */
  readonly description?: string;
  /** `columns` from the model's properties yml, as written (name, description, data_type, tests…). */
  readonly columns: readonly ColumnProperties[];
  /** Model-level test entries (`tests:` / `data_tests:` beside `columns:`), as written. */
  readonly tests?: readonly unknown[];
  /** The installed dbt package the model comes from; absent for the project's own models. */
  readonly package?: string;
}

/** One entry of a model's `columns:` in a properties yml. */
export interface ColumnProperties {
  readonly name: string;
  readonly description?: string;
  readonly data_type?: string;
  readonly [key: string]: unknown;
}

/** A seed: `seeds/**\/*.csv`, loaded as a table; `ref('<name>')` resolves to it. */
export interface Seed {
  readonly name: string;
  /** Path relative to the project dir, POSIX separators, e.g. `seeds/taxi_zones.csv`. */
  readonly path: string;
  /** Folder config from dbt_project.yml `seeds:` (`schema`, `alias`, `column_types`, …), as written. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A macro file from the macro paths; every macro it defines is global in every model. */
export interface MacroFile {
  /** Path relative to the project dir, POSIX separators, e.g. `macros/cents_to_dollars.sql`. */
  readonly path: string;
  readonly source: string;
  /** The dbt package (under dbt_packages/) the file comes from; undefined for the project's own. */
  readonly package?: string;
}

export interface SourceTable {
  readonly sourceName: string;
  readonly tableName: string;
  readonly schema: string;
  readonly identifier: string;
  /** dbt's `quoting:` (source level, overridden per table); both default to true (quoted). */
  readonly quoting?: RelationQuoting;
  /** dbt's `config: {event_time: …}` (table, else source): microbatch models read it filtered. */
  readonly eventTime?: string;
  /** The table's `description` and the source's, from the sources yml; `graph.sources` shows them. */
  readonly description?: string;
  readonly sourceDescription?: string;
  /** The table's `columns:` as written (name, description, data_type, meta…); absent when none. */
  readonly columns?: readonly ColumnProperties[];
}

/** Which parts of a relation are double-quoted when rendered. */
export interface RelationQuoting {
  readonly schema: boolean;
  readonly identifier: boolean;
}

export interface BackfillPolicy {
  type: "single_run" | "multi_run";
  /** For `multi_run`; default 1. */
  maxPartitionsPerRun?: number;
}

/** One `schedules:` entry of almanac.yml, checked and with its defaults applied. */
export interface ScheduleConfig {
  name: string;
  /** dbt selection syntax, resolved at each tick. */
  select: string;
  /** The partitions definition whose last complete partition each tick targets. */
  partitions: string;
  /** Validated cron (5 fields, 6 with seconds, or `@daily`…). Default: the definition's cadence (daily `0 0 * * *`). */
  cron: string;
  /** IANA zone the cron is read in. Default: the partitions definition's zone. */
  timezone: string;
  /** Partitions before the target that each tick runs again, for late data. Default 0. */
  lookback: number;
}

/** dbt's `target`: where models are written. */
export interface Target {
  /** Target name, e.g. `dev`. */
  readonly name: string;
  /** Default schema; custom schemas are suffixed to it. */
  readonly schema: string;
  readonly database?: string;
  readonly type: "postgres";
}

export interface Relation {
  readonly schema: string;
  readonly identifier: string;
}

export interface Project {
  /** Absolute path of the project folder. */
  readonly dir: string;
  readonly name: string;
  /** Project vars from dbt_project.yml. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The vars each installed package's models see (its own, then the project's for it). */
  readonly packageVars?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Enabled models by name. */
  readonly models: ReadonlyMap<string, Model>;
  /** Source tables by `sourceName.tableName`. */
  readonly sources: ReadonlyMap<string, SourceTable>;
  /** Partitions definitions from almanac.yml by name. */
  readonly partitions: ReadonlyMap<string, PartitionsDefinition>;
  /** Backfill policy per partitioned model (from almanac.yml `assets`), when one is set. */
  readonly backfillPolicies: ReadonlyMap<string, BackfillPolicy>;
  /**
   * almanac.yml `deps:` mappings: asset → upstream → mapping. A dependency between partitioned
   * models that is not listed maps by overlap (`overlapMapping`); see `partitionMappingOf`.
   */
  readonly partitionMappings: ReadonlyMap<string, ReadonlyMap<string, TimeWindowMapping>>;
  /** almanac.yml `automation:` per asset (only assets whose rule sets one). */
  readonly automation: ReadonlyMap<string, AssetAutomation>;
  /** almanac.yml `sources:`: the definition each listed source table's events are reported in. */
  readonly sourcePartitions: ReadonlyMap<string, string>;
  /** almanac.yml `freshness:` per asset: how long after its window ends the latest partition may be missing. */
  readonly freshness?: ReadonlyMap<string, FreshnessPolicy>;
  /** almanac.yml `notifications:`: webhooks and the events each receives. Absent: none. */
  readonly notifications?: readonly NotificationConfig[];
  readonly schedules: readonly ScheduleConfig[];
  /** All model names, upstream before downstream (stable topological order). */
  readonly order: readonly string[];
  /** Seeds by name (`ref` targets that are not models). */
  readonly seeds: ReadonlyMap<string, Seed>;
  /** dbt_project.yml `dispatch:`: macro namespace → packages `adapter.dispatch` searches, in order. */
  readonly dispatch?: ReadonlyMap<string, readonly string[]>;
  /** Macro files, in path order; rendering compiles them once per project. */
  readonly macroFiles: readonly MacroFile[];
  /** dbt tests (generic from properties yml, singular from `tests/`), each checking one model. */
  readonly tests: readonly DataTest[];
  /** Prefixes of the environment variables `env_var()` may read (default `DBT_`, `ALMANAC_`). */
  readonly envVarPrefixes?: readonly string[];
  /** dbt_project.yml `on-run-start` / `on-run-end` (the root project's), unrendered. Absent: none. */
  readonly runHooks?: RunHooks;
  /** Things worth telling the user that do not stop loading (an `assets` selection that matched nothing…). */
  readonly warnings: readonly string[];
}

/** dbt_project.yml's run hooks, each a SQL string rendered when the run starts or ends. */
export interface RunHooks {
  readonly onRunStart: readonly string[];
  readonly onRunEnd: readonly string[];
}

/** What a render needs beyond the project. */
export interface RenderContext {
  readonly target: Target;
  /** Window vars (`min_date`, `max_date`, `min_ts`, `max_ts`) and any run-level vars; they win over project vars. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Value of `is_incremental()`. */
  readonly isIncremental: boolean;
  /** Environment for `env_var()`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The warehouse, for `run_query`, `statement`, `adapter.get_relation` and
   * `adapter.get_columns_in_relation`. Default none.
   */
  readonly warehouse?: WarehouseQuery;
  /**
   * dbt's `execute`. Default true (a render for a run); `almanac compile` without a database
   * renders with false, so `{% if execute %}` blocks are skipped as in dbt's parse.
   */
  readonly execute?: boolean;
  /** dbt's `flags.FULL_REFRESH` (`almanac compile --full-refresh`). Default false. */
  readonly fullRefresh?: boolean;
  /** dbt's `flags.WHICH`, the command rendering: `run` (default), `compile`, `seed`. */
  readonly command?: string;
  /**
   * Receives each `log(msg, info=True)` of the render, in order: dbt prints those to the
   * console, so the caller shows them (a run event, a CLI line). Default: dropped.
   */
  readonly onLog?: (message: string) => void;
}

export interface RenderedModel {
  readonly name: string;
  /** The rendered SELECT (ephemeral upstreams inlined as CTEs). */
  readonly sql: string;
  /** Config after this render's `config()` calls. */
  readonly config: Readonly<ModelConfig>;
  readonly relation: Relation;
  /** The model's pre-hooks, rendered with its context, in the order they run; empty ones left out. */
  readonly preHooks: readonly RenderedHook[];
  /** The model's post-hooks, rendered likewise. */
  readonly postHooks: readonly RenderedHook[];
}

/** One hook rendered for a run: what to call it in messages, and its SQL. */
export interface RenderedHook {
  /** `pre-hook 2`, `post-hook 1`, `on-run-start 1`… (1-based, in run order). */
  readonly label: string;
  readonly sql: string;
}
