import type { Column, RelationKind } from "./relations.js";
/** A table or view in the warehouse. */
export interface Relation {
  readonly schema: string;
  readonly identifier: string;
}

/** Bounds of the partition window(s) a run writes; same fields as `@almanac/partitions` WindowBounds. */
export interface TimeWindow {
  readonly startDate: string;
  readonly endDate: string;
  readonly startTs: string;
  readonly endTs: string;
  readonly startLocal: string;
  readonly endLocal: string;
  readonly timezone: string;
}

export type WarehouseMaterialization = "view" | "table" | "incremental" | "snapshot";
export type WarehouseStrategy = "append" | "delete+insert" | "merge" | "window_overwrite";
export type SchemaChangePolicy = "ignore" | "fail" | "append_new_columns" | "sync_all_columns";

export interface MaterializeRequest {
  readonly relation: Relation;
  /** The rendered SELECT of the model. */
  readonly sql: string;
  readonly materialized: WarehouseMaterialization;
  /** Incremental only. */
  readonly strategy?: WarehouseStrategy;
  /** Incremental merge / delete+insert key columns. */
  readonly uniqueKey?: readonly string[];
  /**
   * Partitioned incremental runs: the window this run owns. Rows of the model's output outside it
   * are not written, and (window_overwrite, delete+insert, merge) target rows inside it that the
   * output no longer has are removed.
   */
  readonly window?: TimeWindow;
  /** Column compared against `window` (event_time, else a single-column unique key). */
  readonly timeColumn?: string;
  /** Incremental only; default `ignore`. */
  readonly onSchemaChange?: SchemaChangePolicy;
  /**
   * Incremental only: what stands at `relation`, when the caller looked in this transaction
   * (null: nothing), so it is not looked up twice. Undefined: the warehouse looks.
   */
  readonly existingKind?: RelationKind | null;
  /**
   * Incremental only, with `existingKind` "table": the table's columns, read in the same lookup
   * after anything in the transaction that could alter them, so they are not read twice.
   * Undefined: the warehouse reads them.
   */
  readonly existingColumns?: readonly Column[];
  /** Snapshot only: how rows are compared and versioned (dbt's snapshot config). */
  readonly snapshot?: SnapshotSpec;
}

/** Names of the columns a snapshot adds to its select (dbt's `snapshot_meta_column_names`). */
export interface SnapshotColumnNames {
  readonly dbt_scd_id: string;
  readonly dbt_updated_at: string;
  readonly dbt_valid_from: string;
  readonly dbt_valid_to: string;
  readonly dbt_is_deleted: string;
}

/** What a snapshot's config says, checked: SQL expressions are written into statements as given (dbt's way). */
export interface SnapshotSpec {
  readonly strategy: "timestamp" | "check";
  /** A column or SQL expression, or a list of them (a composite key). */
  readonly uniqueKey: string | readonly string[];
  /** Timestamp strategy: the column (or expression) that says when a row last changed. Check: optional. */
  readonly updatedAt?: string;
  /** Check strategy: the columns compared, or `all` (every column of the select). */
  readonly checkCols?: "all" | readonly string[];
  /** What a key that vanished from the select does to its current row. */
  readonly hardDeletes: "ignore" | "invalidate" | "new_record";
  /** SQL expression for `dbt_valid_to` of current rows (dbt's `dbt_valid_to_current`); default null. */
  readonly validToCurrent?: string;
  readonly columnNames: SnapshotColumnNames;
}

export interface MaterializeResult {
  /** Rows inserted or updated in the target (0 for views). */
  readonly rowsWritten: number;
  /** Rows removed from the target (window overwrite / delete+insert / merge). */
  readonly rowsDeleted: number;
  /** Every statement executed, in order, for run events and error reports. */
  readonly statements: readonly string[];
  /** Things the user should know (e.g. no time column, so vanished rows cannot be removed). */
  readonly warnings: readonly string[];
}
