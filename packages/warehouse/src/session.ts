import type pg from "pg";
import { modelSubquery } from "./model-sql.js";
import { type Column, kindOfRelkind, type RelationKind, relationKindSql } from "./relations.js";
import { toWarehouseError } from "./sql-errors.js";
import type { Relation } from "./types.js";

/** A column of a query's output, as its row description tells it. */
export interface OutputColumn {
  readonly name: string;
  readonly typeId: number;
  readonly typeMod: number;
}

/** Bind parameter values; window bounds are the only values Almanac sends. */
export type Params = readonly (string | readonly string[])[];

/**
 * Everything one materialization sends to Postgres goes through here: each statement is recorded
 * (the run log shows exactly what ran) and each failure becomes an AlmanacError that carries the
 * failing statement. It never begins, commits or rolls back: the caller owns the transaction.
 */
export class MaterializeSession {
  readonly #client: pg.ClientBase;
  readonly #statements: string[] = [];
  readonly #warnings: string[] = [];

  constructor(
    client: pg.ClientBase,
    readonly relation: Relation,
    /** The model's rendered SELECT, used to point errors at a line of it. */
    readonly modelSql: string,
  ) {
    this.#client = client;
  }

  get statements(): readonly string[] {
    return this.#statements;
  }

  get warnings(): readonly string[] {
    return this.#warnings;
  }

  warn(message: string): void {
    this.#warnings.push(message);
  }

  /** Runs one statement; rejects with `ALMANAC_MODEL_SQL_ERROR` / `ALMANAC_TRANSIENT_DB_ERROR`. */
  async run<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: Params = [],
  ): Promise<pg.QueryResult<Row>> {
    this.#statements.push(sql);
    try {
      return await this.#client.query<Row>(sql, params as unknown[]);
    } catch (error) {
      throw toWarehouseError(error, {
        sql,
        modelSql: this.modelSql,
        relation: this.relation,
        statements: [...this.#statements],
      });
    }
  }

  /** Rows affected by a statement (`insert`, `delete`, `merge`), 0 when Postgres reports none. */
  async count(sql: string, params: Params = []): Promise<number> {
    const result = await this.run(sql, params);
    return result.rowCount ?? 0;
  }

  /** What stands at `relation` now (read after any DDL lock, so a concurrent first run is seen). */
  async kindOf(relation: Relation): Promise<RelationKind | undefined> {
    const { rows } = await this.run<{ relkind: string }>(relationKindSql, [relation.schema, relation.identifier]);
    return kindOfRelkind(rows[0]?.relkind);
  }

  /**
   * Columns of several relations in one round trip. Names are quoted relation names
   * (`"s"."t"`, `pg_temp."x"`) so temporary tables work too; absent relations get `[]`.
   */
  async columnsOf(quotedNames: readonly string[]): Promise<Column[][]> {
    const { rows } = await this.run<{ i: string; name: string; data_type: string; type_id: number; type_mod: number }>(
      `select r.i, a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as data_type,
       a.atttypid::int as type_id, a.atttypmod as type_mod
  from unnest($1::text[]) with ordinality as r(relation, i)
  join pg_catalog.pg_attribute a on a.attrelid = pg_catalog.to_regclass(r.relation)
 where a.attnum > 0 and not a.attisdropped
 order by r.i, a.attnum`,
      [quotedNames],
    );
    const result: Column[][] = quotedNames.map(() => []);
    for (const row of rows) {
      result[Number(row.i) - 1]?.push({
        name: row.name,
        dataType: row.data_type,
        typeId: row.type_id,
        typeMod: row.type_mod,
      });
    }
    return result;
  }

  /**
   * The columns a SELECT returns, by name and type, from its row description: `limit 0` plans
   * the query and reads no rows.
   */
  async outputColumnsOf(select: string): Promise<OutputColumn[]> {
    const result = await this.run(`${modelSubquery(select)} limit 0`);
    return result.fields.map((field) => ({
      name: field.name,
      typeId: field.dataTypeID,
      typeMod: field.dataTypeModifier,
    }));
  }
}
