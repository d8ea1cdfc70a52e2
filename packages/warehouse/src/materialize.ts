import { AlmanacError } from "@almanac/errors";
import type pg from "pg";
import { materializeIncremental } from "./incremental.js";
import { planIncremental } from "./incremental-plan.js";
import { modelSelect } from "./model-sql.js";
import { MaterializeSession } from "./session.js";
import { materializeSnapshot } from "./snapshot-materialization.js";
import { materializeTable } from "./table.js";
import type { MaterializeRequest, MaterializeResult } from "./types.js";
import { materializeView } from "./view.js";

/**
 * Materializes one rendered model (for one partition window, when given) on `client`.
 *
 * The caller owns the transaction: it has run `begin` on `client` and will `commit`, writing the
 * partition's status in the same transaction, or `rollback`. This function never begins, commits
 * or rolls back (it may use savepoints), so data and status land together or not at all.
 *
 * @throws AlmanacError `ALMANAC_MODEL_SQL_ERROR` (Postgres refused a statement; `details` has
 *   `sqlState`, `position`, `sql`), `ALMANAC_TRANSIENT_DB_ERROR` (retry the step),
 *   `ALMANAC_BAD_MODEL_CONFIG`, `ALMANAC_SCHEMA_CHANGE`. After any of them the transaction is
 *   aborted or half-written: the caller must roll back.
 */
export async function materialize(client: pg.ClientBase, request: MaterializeRequest): Promise<MaterializeResult> {
  const select = modelSelect(request.sql);
  if (select.trim().length === 0) {
    throw new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `model ${describe(request)} rendered to empty SQL`, {
      relation: request.relation,
    });
  }
  if (!request.relation.schema || !request.relation.identifier) {
    throw new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `model ${describe(request)} needs a schema and a name`, {
      relation: request.relation,
    });
  }
  const session = new MaterializeSession(client, request.relation, select);

  switch (request.materialized) {
    case "view":
      await materializeView(session, select);
      return result(session, 0, 0);
    case "table":
      return result(session, await materializeTable(session, select), 0);
    case "incremental": {
      const plan = planIncremental(request);
      for (const warning of plan.warnings) session.warn(warning);
      const counts = await materializeIncremental(session, select, plan, request.existingKind, request.existingColumns);
      return result(session, counts.rowsWritten, counts.rowsDeleted);
    }
    case "snapshot": {
      if (request.snapshot === undefined) {
        throw new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `snapshot ${describe(request)} has no snapshot config`, {
          relation: request.relation,
        });
      }
      return result(session, (await materializeSnapshot(session, select, request.snapshot)).rowsWritten, 0);
    }
    default:
      throw new AlmanacError(
        "ALMANAC_BAD_MODEL_CONFIG",
        `model ${describe(request)} has materialization ${JSON.stringify(request.materialized)}; the warehouse builds view, table, incremental and snapshot (ephemeral models are inlined, never built)`,
        { materialized: request.materialized },
      );
  }
}

function result(session: MaterializeSession, rowsWritten: number, rowsDeleted: number): MaterializeResult {
  return { rowsWritten, rowsDeleted, statements: [...session.statements], warnings: [...session.warnings] };
}

function describe(request: MaterializeRequest): string {
  return `${request.relation.schema}.${request.relation.identifier}`;
}
