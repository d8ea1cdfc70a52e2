import { AlmanacError } from "@almanac/errors";
import { quoteRelation } from "./relations.js";
import type { MaterializeRequest, SchemaChangePolicy, TimeWindow, WarehouseStrategy } from "./types.js";

/** An incremental request with its defaults applied and its config checked. */
export interface IncrementalPlan {
  readonly strategy: WarehouseStrategy;
  /** Key columns; empty when the model has none. */
  readonly uniqueKey: readonly string[];
  /** The window and the column that restricts writes to it; absent when no restriction is possible. */
  readonly restriction?: { readonly window: TimeWindow; readonly timeColumn: string };
  readonly onSchemaChange: SchemaChangePolicy;
  readonly warnings: readonly string[];
}

const strategiesNeedingKey: ReadonlySet<WarehouseStrategy> = new Set(["merge", "delete+insert"]);

/**
 * Applies defaults and refuses configurations that cannot keep DESIGN §3.2's promise.
 *
 * Default strategy: `window_overwrite` when the run has a window and a time column (a partition
 * run then rewrites exactly its window), else `delete+insert` with a unique key, else `append`
 * (dbt-postgres's defaults).
 *
 * @throws AlmanacError `ALMANAC_BAD_MODEL_CONFIG` when a strategy lacks what it needs.
 */
export function planIncremental(request: MaterializeRequest): IncrementalPlan {
  const target = quoteRelation(request.relation);
  const uniqueKey = request.uniqueKey ?? [];
  const window = request.window;
  const timeColumn = request.timeColumn;
  const restriction = window && timeColumn ? { window, timeColumn } : undefined;
  const strategy: WarehouseStrategy =
    request.strategy ?? (restriction ? "window_overwrite" : uniqueKey.length > 0 ? "delete+insert" : "append");
  const warnings: string[] = [];

  if (strategiesNeedingKey.has(strategy) && uniqueKey.length === 0) {
    throw badConfig(
      `incremental strategy ${strategy} of ${target} needs a unique_key (one or more columns); set unique_key, or use window_overwrite with event_time for a partitioned model`,
      strategy,
    );
  }
  if (new Set(uniqueKey).size !== uniqueKey.length) {
    throw badConfig(`unique_key of ${target} names a column twice: ${uniqueKey.join(", ")}`, strategy);
  }
  if (strategy === "window_overwrite" && !restriction) {
    throw badConfig(
      window
        ? `incremental strategy window_overwrite of ${target} needs a time column to find the window's rows: ${fixHint}`
        : `incremental strategy window_overwrite of ${target} only works in a partitioned run (it has no window to overwrite); make the model partitioned or choose another strategy`,
      strategy,
    );
  }
  if (window && !timeColumn) {
    warnings.push(
      `${target} has no time column, so this partition run cannot be restricted to its window [${window.startTs}, ${window.endTs}): all of the model's output was written (${strategy}), and re-runs cannot remove rows that vanished from the source. ${capitalize(fixHint)}.`,
    );
  }
  if (restriction && strategy === "append") {
    warnings.push(
      `${target} uses strategy append in a partitioned run: re-running a partition appends its rows again. Use window_overwrite (the default) or merge to make re-runs repeatable.`,
    );
  }
  return {
    strategy,
    uniqueKey,
    ...(restriction ? { restriction } : {}),
    onSchemaChange: request.onSchemaChange ?? "ignore",
    warnings,
  };
}

const fixHint =
  "set event_time to the model's date or timestamp column (config(event_time='…')), or give it a single-column unique_key that is one";

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function badConfig(message: string, strategy: WarehouseStrategy): AlmanacError {
  return new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", message, { strategy });
}
