import type { ServerFixture } from "./server-fixture.js";

/**
 * What a rejected request must leave unchanged: the tables of `almanac`, `raw` and `public`
 * (a dropped or created table shows) and the row count of every `almanac` table (runs,
 * backfills, schedule_ticks, partition statuses…).
 */
export async function storeSnapshot(f: ServerFixture): Promise<Record<string, number | "exists">> {
  const tables = await f.query<{ schema: string; name: string }>(
    `select table_schema as schema, table_name as name from information_schema.tables
     where table_schema in ('almanac', 'raw', 'public') order by 1, 2`,
  );
  const snapshot: Record<string, number | "exists"> = {};
  for (const { schema, name } of tables) {
    const qualified = `"${schema}"."${name}"`;
    if (schema !== "almanac") {
      snapshot[qualified] = "exists";
      continue;
    }
    const [row] = await f.query<{ n: number }>(`select count(*)::int as n from ${qualified}`);
    snapshot[qualified] = row?.n ?? 0;
  }
  return snapshot;
}
