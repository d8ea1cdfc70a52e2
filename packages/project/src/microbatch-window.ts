/**
 * The batch a microbatch model renders for, and the filtered relations its `ref()` and
 * `source()` return, spelled as dbt 1.9 spells them so SQL and macros ported from dbt read the
 * same: `{{ ref('events') }}` of a node with `event_time` prints
 * `(select * from "s"."events" where occurred_at >= '2024-03-01 00:00:00+00:00' and occurred_at < '2024-03-02 00:00:00+00:00') _dbt_et_filter_subq_events`,
 * while `.render()`, `.schema`, `.identifier` stay the plain relation's.
 */
import { RelationValue } from "./relation.js";
import type { RelationQuoting } from "./types.js";

/** `model.batch` in a microbatch render: dbt's batch id and its bounds (end exclusive). */
export interface MicrobatchBatch {
  readonly id: string;
  readonly event_time_start: string;
  readonly event_time_end: string;
}

/**
 * `model.batch` outside a batch (the parse, a render without a window, other models): dbt's is
 * None there, and Jinja prints `{{ model.batch.id }}` of it as empty.
 */
export const noBatch: MicrobatchBatch = Object.freeze({ id: "", event_time_start: "", event_time_end: "" });

/** A relation filtered to the batch on its `event_time` when printed. */
export class BatchFilteredRelation extends RelationValue {
  readonly #eventTime: string;
  readonly #batch: MicrobatchBatch;

  constructor(
    relation: { schema: string; identifier: string; database?: string; quoting?: RelationQuoting },
    eventTime: string,
    batch: MicrobatchBatch,
  ) {
    super(relation.schema, relation.identifier, relation.database, relation.quoting);
    this.#eventTime = eventTime;
    this.#batch = batch;
  }

  override toString(): string {
    const { event_time_start: start, event_time_end: end } = this.#batch;
    return `(select * from ${this.render()} where ${this.#eventTime} >= '${start}' and ${this.#eventTime} < '${end}') _dbt_et_filter_subq_${this.identifier}`;
  }
}

/**
 * The batch of a render whose window vars are `min_ts`/`max_ts` (ISO-8601 with offset), or
 * undefined outside a partitioned run. Bounds print in UTC as Python prints an aware datetime;
 * the id is dbt's: the batch start's date (and hour, for hourly batches) without separators.
 */
export function batchOf(
  vars: Readonly<Record<string, unknown>> | undefined,
  hourly: boolean,
): MicrobatchBatch | undefined {
  const start = vars?.min_ts;
  const end = vars?.max_ts;
  if (typeof start !== "string" || typeof end !== "string") return undefined;
  const startText = utcText(start);
  const date = startText.slice(0, 10).replaceAll("-", "");
  return {
    id: hourly ? `${date}${startText.slice(11, 13)}` : date,
    event_time_start: startText,
    event_time_end: utcText(end),
  };
}

/** `2024-03-01 00:00:00+00:00`. */
function utcText(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")}+00:00`;
}
