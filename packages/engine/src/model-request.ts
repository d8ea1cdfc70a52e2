import { AlmanacError } from "@almanac/errors";
import type { WindowBounds } from "@almanac/partitions";
import { type RenderedModel, snapshotSettings } from "@almanac/project";
import type { Column, MaterializeRequest, RelationKind } from "@almanac/warehouse";

/**
 * Turns a rendered model into what the warehouse executes. A partitioned incremental model is
 * restricted to its window by `event_time`, else by a single-column `unique_key` (DESIGN §3.2).
 */
export function modelRequest(
  rendered: RenderedModel,
  window: WindowBounds | undefined,
  existingKind?: RelationKind | null,
  existingColumns?: readonly Column[],
): MaterializeRequest {
  const { config, relation, sql } = rendered;
  if (config.materialized === "ephemeral") {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `model "${rendered.name}" is ephemeral: it is inlined, never run`,
    );
  }
  if (config.materialized === "snapshot") {
    // Checked at load with file:line; checked again here because config() may differ at render.
    return {
      relation,
      sql,
      materialized: "snapshot",
      snapshot: snapshotSettings(rendered.name, rendered.name, config),
    };
  }
  if (config.materialized !== "incremental") {
    return { relation, sql, materialized: config.materialized };
  }
  const uniqueKey = toList(config.unique_key);
  const timeColumn = config.event_time ?? (uniqueKey.length === 1 ? uniqueKey[0] : undefined);
  return {
    relation,
    sql,
    materialized: "incremental",
    // Unset: the warehouse picks window_overwrite for a window with a time column, else
    // delete+insert with a unique key, else append (with a warning when partitioned). A
    // microbatch batch is exactly a window overwrite on event_time (dbt-postgres deletes the
    // batch's rows and inserts them again).
    strategy: config.incremental_strategy === "microbatch" ? "window_overwrite" : config.incremental_strategy,
    uniqueKey,
    window,
    timeColumn,
    onSchemaChange: config.on_schema_change,
    existingKind,
    existingColumns,
  };
}

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
