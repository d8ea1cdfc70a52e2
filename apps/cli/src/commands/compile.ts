import { compileModel } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { WorkerSyncQuery } from "@almanac/warehouse";
import type { AlmanacEnv } from "../config.js";
import { targetOf } from "../connections.js";

export interface CompileFlags {
  readonly partition?: string;
  readonly incremental?: boolean;
  readonly fullRefresh?: boolean;
}

/**
 * `almanac compile <model> --partition KEY`: print the rendered SQL. With WAREHOUSE_URL or
 * DATABASE_URL set it renders as `dbt compile` does, `execute` true and `run_query` answered by
 * the warehouse (read only: nothing is written) and `is_incremental()` true when an incremental
 * model's table exists; without, `execute` is false and no database is started.
 */
export async function compileCommand(env: AlmanacEnv, projectDir: string, model: string, flags: CompileFlags) {
  const project = await loadProject(projectDir, { envVarPrefixes: env.envVarPrefixes });
  const url = env.warehouseUrl ?? env.databaseUrl;
  const warehouse = url === undefined ? undefined : new WorkerSyncQuery(url);
  try {
    const sql = compileModel(project, model, {
      target: targetOf(env, url),
      partition: flags.partition,
      isIncremental: flags.incremental,
      fullRefresh: flags.fullRefresh,
      now: new Date(),
      ...(warehouse === undefined ? {} : { warehouse }),
      // On stderr: stdout is the SQL, which users pipe on.
      onLog: (message) => process.stderr.write(`${message}\n`),
    });
    process.stdout.write(`${sql.trim()}\n`);
    return 0;
  } finally {
    warehouse?.close();
  }
}
