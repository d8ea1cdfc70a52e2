import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

/** Source events recorded per source table (`source.table` → count), for the metrics. */
export async function countSourceEvents(db: StoreDb): Promise<Map<string, number>> {
  const result = await db.execute<{ source_key: string; n: number }>(
    sql`select source_key, count(*)::int as n from almanac.source_events group by source_key`,
  );
  return new Map(result.rows.map((row) => [row.source_key, row.n]));
}
