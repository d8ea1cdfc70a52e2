import { after } from "node:test";
import { createTestDatabase } from "@almanac/testing";
import pg from "pg";
import { type StoreDb, storeDb } from "../src/index.js";

/** A migrated database of the test file's own, a pool on it, and the store over that pool; all closed after the file. */
export async function useStore(): Promise<{ url: string; pool: pg.Pool; db: StoreDb }> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 5 });
  // Dropping the database (with force) can reach a socket still closing after end().
  pool.on("error", () => undefined);
  // pool.end() resolves before its sockets close, so drop()'s forced disconnect can still reach
  // a closing client as an "error" event; queries report their own errors, this is only noise.
  pool.on("connect", (client) => client.on("error", () => undefined));
  after(async () => {
    await pool.end();
    await database.drop();
  });
  return { url: database.url, pool, db: storeDb(pool) };
}

/** `count` consecutive daily keys from `start` (YYYY-MM-DD, UTC). */
export function dailyKeys(start: string, count: number): string[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10));
}
