import { AlmanacError } from "@almanac/errors";
import { quoteIdentifier } from "./relations.js";
import type { WriteColumn } from "./schema-change.js";
import type { MaterializeSession } from "./session.js";
import type { WarehouseStrategy } from "./types.js";
import type { WindowPredicate } from "./window-filter.js";

/** Rows a strategy inserted or updated, and rows it removed. */
export interface WriteCounts {
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
}

/** What a strategy writes: staged rows into the target, optionally scoped to a window. */
export interface StrategyInput {
  /** Quoted target relation. */
  readonly target: string;
  /** Quoted staging table holding the model's rows (already restricted to the window). */
  readonly stage: string;
  /** Columns to copy from stage to target. */
  readonly columns: readonly WriteColumn[];
  readonly uniqueKey: readonly string[];
  /** The window condition on the target, aliased `t`; absent when writes cannot be scoped. */
  readonly targetWindow?: WindowPredicate;
}

/** Alias of the target table in strategy statements (window predicates are built against it). */
export const targetAlias = "t";

/**
 * Moves the staged rows into the target with dbt's incremental strategies. Each is a fixed,
 * small number of set-based statements; nothing is done per row.
 */
export async function writeStaged(
  session: MaterializeSession,
  strategy: WarehouseStrategy,
  input: StrategyInput,
): Promise<WriteCounts> {
  const list = input.columns.map((c) => quoteIdentifier(c.name)).join(", ");
  const values = input.columns.map((c) => stagedValue(c, "")).join(", ");
  const insert = `insert into ${input.target} (${list})\nselect ${values} from ${input.stage}`;
  const window = input.targetWindow;

  switch (strategy) {
    case "append":
      return { rowsWritten: await session.count(insert), rowsDeleted: 0 };

    case "window_overwrite": {
      if (!window) throw new Error("window_overwrite without a window predicate"); // planIncremental forbids it
      const rowsDeleted = await session.count(
        `delete from ${input.target} as ${targetAlias}\n where ${window.sql}`,
        window.params,
      );
      return { rowsWritten: await session.count(insert), rowsDeleted };
    }

    case "delete+insert": {
      requireKeyColumns(input);
      // Rows whose key comes back are replaced; with a window, rows of the window that did not
      // come back go too, so a re-run after source rows vanished matches the source. Two plain
      // deletes rather than one `window or exists (…)`: an OR'ed correlated subquery cannot use
      // a join and would probe the stage once per target row.
      let rowsDeleted = 0;
      if (window) {
        rowsDeleted += await session.count(
          `delete from ${input.target} as ${targetAlias}\n where ${window.sql}`,
          window.params,
        );
      }
      rowsDeleted += await session.count(
        `delete from ${input.target} as ${targetAlias}\n using ${input.stage} as s\n where ${keyJoin(input.uniqueKey)}`,
      );
      return { rowsWritten: await session.count(insert), rowsDeleted };
    }

    case "merge": {
      requireKeyColumns(input);
      let rowsDeleted = 0;
      if (window) {
        // MERGE cannot delete target rows that have no source row, so the window's vanished rows
        // go first, in their own statement.
        rowsDeleted = await session.count(
          `delete from ${input.target} as ${targetAlias}\n where ${window.sql}\n   and not exists (select 1 from ${input.stage} as s where ${keyJoin(input.uniqueKey)})`,
          window.params,
        );
      }
      return { rowsWritten: await session.count(mergeSql(input)), rowsDeleted };
    }
  }
}

/** `t."k1" = s."k1" and t."k2" = s."k2"`: NULL keys never match, as in dbt. */
function keyJoin(uniqueKey: readonly string[]): string {
  return uniqueKey.map((k) => `${targetAlias}.${quoteIdentifier(k)} = s.${quoteIdentifier(k)}`).join(" and ");
}

/** Postgres 15 MERGE: update matched rows' non-key columns, insert the rest. */
function mergeSql(input: StrategyInput): string {
  const keys = new Set(input.uniqueKey);
  const updates = input.columns
    .filter((c) => !keys.has(c.name))
    .map((c) => `${quoteIdentifier(c.name)} = ${stagedValue(c, "s.")}`);
  const list = input.columns.map((c) => quoteIdentifier(c.name));
  const values = input.columns.map((c) => stagedValue(c, "s."));
  return [
    `merge into ${input.target} as ${targetAlias}`,
    `using ${input.stage} as s on ${keyJoin(input.uniqueKey)}`,
    updates.length > 0 ? `when matched then update set ${updates.join(", ")}` : "when matched then do nothing",
    `when not matched then insert (${list.join(", ")}) values (${values.join(", ")})`,
  ].join("\n");
}

/** A staged column as a value for the target, cast to the target's type when they differ. */
function stagedValue(column: WriteColumn, prefix: string): string {
  const ref = `${prefix}${quoteIdentifier(column.name)}`;
  return column.castTo ? `${ref}::${column.castTo}` : ref;
}

function requireKeyColumns(input: StrategyInput): void {
  const missing = input.uniqueKey.filter((k) => !input.columns.some((c) => c.name === k));
  if (missing.length > 0) {
    throw new AlmanacError(
      "ALMANAC_BAD_MODEL_CONFIG",
      `unique_key column(s) ${missing.map(quoteIdentifier).join(", ")} of ${input.target} are not in both the model's output and the table (written columns: ${input.columns.map((c) => c.name).join(", ")})`,
      { uniqueKey: input.uniqueKey, missing },
    );
  }
}
