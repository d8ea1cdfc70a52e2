import { AlmanacError } from "@almanac/errors";
import { loadProject, runOperation } from "@almanac/project";
import { WorkerSyncQuery } from "@almanac/warehouse";
import { parse } from "yaml";
import type { AlmanacEnv } from "../config.js";
import { storeUrl, targetOf } from "../connections.js";

/**
 * `almanac run-operation <macro> [--args YAML]`: dbt's `run-operation`. Calls the macro with
 * the arguments as keywords against the warehouse: its `run_query` and adapter calls run at
 * once, each committed on its own. What it renders is dropped, as dbt drops it; `log()` is how
 * a macro reports.
 */
export async function runOperationCommand(
  env: AlmanacEnv,
  projectDir: string,
  macro: string,
  flags: { readonly args?: string },
) {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(macro)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `"${macro}" is not a macro name (name or package.name)`);
  }
  const args = parseArgs(flags.args);
  const project = await loadProject(projectDir, { envVarPrefixes: env.envVarPrefixes });
  const url = env.warehouseUrl ?? (await storeUrl(env));
  const warehouse = new WorkerSyncQuery(url);
  try {
    // On stdout, as dbt prints them: codegen's generate_source logs the yml users redirect to a file.
    const onLog = (message: string) => process.stdout.write(`${message}\n`);
    runOperation(project, macro, args, { target: targetOf(env, url), isIncremental: false, warehouse, onLog });
    return 0;
  } finally {
    warehouse.close();
  }
}

/** `--args` as dbt reads it: a YAML mapping (`{days: 3}` or `'days: 3'`). */
function parseArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `--args is not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", "--args must be a YAML mapping of argument names to values");
  }
  return value as Record<string, unknown>;
}
