import { compileModel } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import type { AlmanacEnv } from "../config.js";

export interface CompileFlags {
  readonly partition?: string;
  readonly incremental?: boolean;
}

/** `almanac compile <model> --partition KEY`: print the rendered SQL; touches no database. */
export async function compileCommand(env: AlmanacEnv, projectDir: string, model: string, flags: CompileFlags) {
  const project = await loadProject(projectDir);
  const sql = compileModel(project, model, {
    target: { name: env.targetName, schema: env.targetSchema, type: "postgres" },
    partition: flags.partition,
    isIncremental: flags.incremental ?? false,
    now: new Date(),
  });
  process.stdout.write(`${sql.trim()}\n`);
  return 0;
}
