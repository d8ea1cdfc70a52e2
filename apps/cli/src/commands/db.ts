import type { AlmanacEnv } from "../config.js";
import { storeUrl } from "../connections.js";
import { stopEmbeddedPostgres } from "../embedded-postgres.js";

/** `almanac db url`: print the store's connection string, starting the embedded Postgres if needed. */
export async function dbUrlCommand(env: AlmanacEnv): Promise<number> {
  process.stdout.write(`${await storeUrl(env)}\n`);
  return 0;
}

/** `almanac db stop`: stop the embedded Postgres (a no-op with DATABASE_URL). */
export async function dbStopCommand(env: AlmanacEnv): Promise<number> {
  const stopped = await stopEmbeddedPostgres(env.home);
  process.stdout.write(stopped ? "embedded Postgres stopped\n" : "no embedded Postgres is running\n");
  return 0;
}
