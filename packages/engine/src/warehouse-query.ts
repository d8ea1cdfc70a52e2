import { connectionOfPool, WorkerSyncQuery } from "@almanac/warehouse";
import type pg from "pg";

/**
 * The synchronous warehouse connection a render uses for `run_query`, `statement` and
 * `adapter.get_relation`/`get_columns_in_relation`. It connects on the first query only, so
 * renders that never query cost nothing; close it when the render is done.
 *
 * It is a second connection, not the step's: the step's transaction has written nothing yet when
 * the model renders, so both see the same committed data (READ COMMITTED).
 */
export function openWarehouseQuery(warehouse: pg.Pool): WorkerSyncQuery {
  return new WorkerSyncQuery(connectionOfPool(warehouse));
}
