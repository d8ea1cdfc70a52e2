import path from "node:path";

/**
 * Everything Almanac reads from the environment, parsed once. Command-line flags override
 * these where a command offers one (`--project`).
 */
export interface AlmanacEnv {
  /** `DATABASE_URL`: the store. Unset: the CLI starts an embedded Postgres under `.almanac/`. */
  readonly databaseUrl: string | undefined;
  /** `WAREHOUSE_URL`: where models are written. Default: `DATABASE_URL` (one database; status commits with data). */
  readonly warehouseUrl: string | undefined;
  /** `ALMANAC_PROJECT_DIR`: the dbt-style project. Default: the current directory. */
  readonly projectDir: string;
  /** `ALMANAC_TARGET`: dbt target name seen by models as `target.name`. Default `dev`. */
  readonly targetName: string;
  /** `ALMANAC_TARGET_SCHEMA`: schema models are written to (custom schemas get it as prefix). Default `public`. */
  readonly targetSchema: string;
  /** `ALMANAC_HOME`: where the embedded Postgres keeps its data. Default `.almanac` in the current directory. */
  readonly home: string;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): AlmanacEnv {
  return Object.freeze({
    databaseUrl: nonEmpty(env.DATABASE_URL),
    warehouseUrl: nonEmpty(env.WAREHOUSE_URL),
    projectDir: path.resolve(nonEmpty(env.ALMANAC_PROJECT_DIR) ?? "."),
    targetName: nonEmpty(env.ALMANAC_TARGET) ?? "dev",
    targetSchema: nonEmpty(env.ALMANAC_TARGET_SCHEMA) ?? "public",
    home: path.resolve(nonEmpty(env.ALMANAC_HOME) ?? ".almanac"),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
