/**
 * What `run_query()` and `load_result()` hand to templates: the parts of dbt's agate Table that
 * dbt projects use. `results.columns[0].values()`, `results.columns['name'].values()`,
 * `results.rows`, `row[0]`, `row['name']`, `row.name`, `results.column_names`. Values are as
 * the worker decoded them (integers and floats as numbers, booleans, everything else as
 * Postgres text), where agate would have Decimal and date objects; printed, they read the same.
 */

/** A result the warehouse returned to a synchronous query. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Runs SQL synchronously against the warehouse (see WorkerSyncQuery in @almanac/warehouse). */
export interface WarehouseQuery {
  query(sql: string): QueryResult;
}

/** One column: `.name` and `.values()` (agate's `Column`). */
export class QueryColumn {
  readonly name: string;
  readonly #values: readonly unknown[];

  constructor(name: string, values: readonly unknown[]) {
    this.name = name;
    this.#values = values;
  }

  values(): unknown[] {
    return [...this.#values];
  }
}

/** Adds name lookups to a list (`row['id']`, `columns['id']`) without shadowing list behaviour. */
function withNames<T>(items: T[], names: readonly string[]): T[] {
  names.forEach((name, i) => {
    if (/^\d+$/.test(name) || name in items) return;
    Object.defineProperty(items, name, { value: items[i], enumerable: false });
  });
  return items;
}

/** agate's `Table`, for templates. */
export class QueryTable {
  readonly column_names: readonly string[];
  readonly rows: readonly unknown[][];
  readonly columns: readonly QueryColumn[];

  constructor(result: QueryResult) {
    this.column_names = Object.freeze([...result.columns]);
    this.rows = result.rows.map((row) => withNames([...row], result.columns));
    const columns = withNames(
      result.columns.map(
        (name, i) =>
          new QueryColumn(
            name,
            result.rows.map((row) => row[i]),
          ),
      ),
      result.columns,
    );
    // agate's columns are also a mapping: `table.columns.items()` (dbt_utils' get_query_results_as_dict).
    const mapping = {
      items: () => columns.map((column) => [column.name, column]),
      keys: () => columns.map((column) => column.name),
      values: () => [...columns],
    };
    for (const [name, method] of Object.entries(mapping)) {
      if (!Object.hasOwn(columns, name)) Object.defineProperty(columns, name, { value: method, enumerable: false });
    }
    this.columns = columns;
  }

  /** `{% for row in table %}` walks the rows, as on an agate Table. */
  [Symbol.iterator](): Iterator<unknown[]> {
    return this.rows[Symbol.iterator]();
  }
}
