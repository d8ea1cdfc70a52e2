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
  let db = wrapped.get(client);
  if (db === undefined) {
    db = drizzle({ client, schema });
    wrapped.set(client, db);
  }
  return db;
}

/**
 * One drizzle instance per client: building one walks the whole schema (relations included),
 * which cost more CPU than a short step's SQL when every step wrapped its pooled client anew.
 * Pooled clients are reused objects, so the cache hits; a dropped client takes its entry along.
 */
const wrapped = new WeakMap<pg.Pool | pg.PoolClient | pg.Client, StoreDb>();
