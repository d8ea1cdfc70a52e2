import { migrate } from "@almanac/store";
import type { AlmanacEnv } from "../config.js";
import { storeUrl } from "../connections.js";

/** `almanac migrate`: apply the store's migrations (safe when several processes start at once). */
export async function migrateCommand(env: AlmanacEnv): Promise<number> {
  await migrate(await storeUrl(env));
  process.stdout.write("store migrations are up to date\n");
  return 0;
}
