import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as drizzleMigrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/**
 * The committed migrations (packages/store/migrations). Resolved from this module, which sits
 * one level below the package both as src/migrate.ts and as dist/migrate.js.
 */
export const migrationsFolder: string = fileURLToPath(new URL("../migrations", import.meta.url));

// Any constant works as long as every Almanac process uses the same one ("almanac" in ASCII).
const migrationLockKey = 0x616c6d616e6163n;

/**
 * Applies the store migrations that are not applied yet. Safe when several processes start at
 * once: each takes a session advisory lock on its own dedicated connection, so one applies the
 * migrations and the others then find nothing left to do. Drizzle's bookkeeping table lives in
 * the `almanac` schema next to the store tables.
 *
 * @param connectionString - the store database (`DATABASE_URL`).
 */
export async function migrate(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // Quiet "schema already exists, skipping" notices from the IF NOT EXISTS statements.
    await client.query("set client_min_messages = warning");
    await client.query("select pg_advisory_lock($1)", [migrationLockKey.toString()]);
    try {
      await drizzleMigrate(drizzle({ client }), { migrationsFolder, migrationsSchema: "almanac" });
    } finally {
      // Ending the session releases the lock too; never let a failed unlock hide the real error.
      await client.query("select pg_advisory_unlock($1)", [migrationLockKey.toString()]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
