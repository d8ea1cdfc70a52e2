import { AlmanacError } from "@almanac/errors";
import { validatePartitionKey, windowBounds, windowVars } from "@almanac/partitions";
import {
  type Project,
  partitionsOf,
  relationOf,
  relationTypeIn,
  renderModel,
  type Target,
  type WarehouseQuery,
} from "@almanac/project";

export interface CompileOptions {
  readonly target: Target;
  /** Partition to render the window of; required for a partitioned model. */
  readonly partition?: string;
  /**
   * Value of `is_incremental()`. Default: as a run would have it, which `dbt compile` also
   * does: true for an incremental model whose table exists in the warehouse, false without a
   * warehouse (the first run's SQL).
   */
  readonly isIncremental?: boolean;
  /** dbt's `--full-refresh`: `is_incremental()` is false and `flags.FULL_REFRESH` true. */
  readonly fullRefresh?: boolean;
  readonly vars?: Readonly<Record<string, unknown>>;
  /** For the "after the last partition" check. */
  readonly now: Date;
  /**
   * The warehouse for `run_query` and friends. With it, templates render with `execute` true,
   * as `dbt compile` does; without it, `execute` is false. Default none.
   */
  readonly warehouse?: WarehouseQuery;
  /** Receives the render's `log(…, info=True)` messages, in order. Default: dropped. */
  readonly onLog?: (message: string) => void;
}

/** The SQL a model renders to for a partition, as `almanac compile` prints it. */
export function compileModel(project: Project, modelName: string, options: CompileOptions): string {
  if (!project.models.has(modelName)) {
    // renderModel names the same error, but with a did-you-mean from the project's model list.
    renderModel(project, modelName, { target: options.target, isIncremental: false });
  }
  const partitions = partitionsOf(project, modelName);
  if (partitions && options.partition === undefined) {
    throw new AlmanacError(
      "ALMANAC_PARTITION_REQUIRED",
      `model "${modelName}" is partitioned by "${partitions.name}": pass --partition KEY`,
    );
  }
  if (!partitions && options.partition !== undefined) {
    throw new AlmanacError("ALMANAC_NOT_PARTITIONED", `model "${modelName}" is not partitioned; drop --partition`);
  }
  let window = {};
  if (partitions && options.partition !== undefined) {
    validatePartitionKey(partitions, options.partition, options.now);
    window = windowVars(windowBounds(partitions, options.partition, options.partition));
  }
  return renderModel(project, modelName, {
    target: options.target,
    vars: { ...options.vars, ...window },
    isIncremental: options.fullRefresh ? false : (options.isIncremental ?? tableExists(project, modelName, options)),
    fullRefresh: options.fullRefresh ?? false,
    command: "compile",
    execute: options.warehouse !== undefined,
    ...(options.warehouse === undefined ? {} : { warehouse: options.warehouse }),
    onLog: options.onLog,
  }).sql;
}

/** Whether incremental model `modelName` has its table in the warehouse (false without one). */
function tableExists(project: Project, modelName: string, options: CompileOptions): boolean {
  const warehouse = options.warehouse;
  if (warehouse === undefined || project.models.get(modelName)?.config.materialized !== "incremental") return false;
  const { schema, identifier } = relationOf(project, modelName, options.target);
  return relationTypeIn((sql) => warehouse.query(sql), schema, identifier) === "table";
}
