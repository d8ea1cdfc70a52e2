import type { AlmanacEnv } from "../config.js";
import { storeUrl } from "../connections.js";
import { stopEmbeddedPostgres } from "../embedded-postgres.js";
import { stopLocalRedis } from "../local-redis.js";

/** `almanac db url`: print the store's connection string, starting the embedded Postgres if needed. */
export async function dbUrlCommand(env: AlmanacEnv): Promise<number> {
  process.stdout.write(`${await storeUrl(env)}\n`);
  return 0;
}

/** `almanac db stop`: stop the embedded Postgres and the local Redis, where they run. */
export async function dbStopCommand(env: AlmanacEnv): Promise<number> {
  const postgres = await stopEmbeddedPostgres(env.home);
  const redis = await stopLocalRedis();
  process.stdout.write(`embedded Postgres: ${postgres ? "stopped" : "not running"}\n`);
  process.stdout.write(`local Redis: ${redis ? "stopped" : "not running"}\n`);
  return 0;
}
