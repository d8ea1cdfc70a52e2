import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type pg from "pg";
import * as schema from "./schema/index.js";

/** Drizzle over the store's schema. Every repository takes one as its first argument. */
export type StoreDb = NodePgDatabase<typeof schema>;

/**
 * Wraps an existing client or pool; never opens connections of its own. Pass the client that
 * holds the warehouse transaction and the status writes commit (or roll back) with the data.
 * Repositories never open transactions themselves: each is one statement, atomic on its own.
 */
export function storeDb(client: pg.Pool | pg.PoolClient | pg.Client): StoreDb {
  return drizzle({ client, schema });
}
