import { type SQL, sql } from "drizzle-orm";
import { pgSchema } from "drizzle-orm/pg-core";

/**
 * Every store table lives in the Postgres schema `almanac`, so it never collides with the
 * models of a warehouse that may be the same database.
 */
export const almanac = pgSchema("almanac");

/**
 * CHECK body restricting a text column to a closed set. Statuses are text + CHECK rather than
 * Postgres enums: adding a value later is a plain constraint swap inside a migration
 * transaction, which `ALTER TYPE … ADD VALUE` is not.
 */
export function oneOf(column: string, values: readonly string[]): SQL {
  return sql.raw(`"${column}" in (${values.map((value) => `'${value}'`).join(", ")})`);
}
