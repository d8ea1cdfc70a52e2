import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/**
 * Postgres's clock. Heartbeats, claims and `materialized_at` are stamped with the database's
 * `now()`, so whoever judges their age (the reconciler deciding a run is stale) reads the same
 * clock instead of its own: a process on a machine whose clock is off can neither take over
 * healthy runs early nor leave dead ones late.
 */
export async function databaseNow(db: StoreDb): Promise<Date> {
  const result = await db.execute<{ now: Date | string }>(sql`select now() as now`);
  const value = result.rows[0]?.now;
  return value instanceof Date ? value : new Date(String(value));
}
