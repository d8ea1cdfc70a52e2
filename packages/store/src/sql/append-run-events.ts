import { runEvents } from "../schema/index.js";
import type { EventLevel } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** One log event of a run. */
export interface NewRunEvent {
  readonly runId: string;
  /** The step it belongs to; omit for run-level events. */
  readonly stepIdx?: number | null;
  /** Default `info`. */
  readonly level?: EventLevel;
  readonly message: string;
  /** Structured context (partition, rows, Postgres code…). */
  readonly data?: Record<string, unknown> | null;
}

// 5 parameters per row; stays far below Postgres' 65,535 parameters per statement.
const rowsPerInsert = 5_000;

/**
 * Appends events in order with one multi-row insert (one per 5,000 events). Returns their ids,
 * which are increasing and serve as the paging cursor of `listRunEvents`.
 */
export async function appendRunEvents(db: StoreDb, events: readonly NewRunEvent[]): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < events.length; start += rowsPerInsert) {
    const rows = await db
      .insert(runEvents)
      .values(
        events.slice(start, start + rowsPerInsert).map((event) => ({
          runId: event.runId,
          stepIdx: event.stepIdx ?? null,
          level: event.level ?? "info",
          message: event.message,
          data: event.data ?? null,
        })),
      )
      .returning({ id: runEvents.id });
    for (const row of rows) ids.push(row.id);
  }
  return ids;
}
