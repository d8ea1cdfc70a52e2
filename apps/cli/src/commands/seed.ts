import { loadSeeds } from "@almanac/engine";
import type { AlmanacEnv } from "../config.js";
import { openSession } from "../connections.js";

/**
 * `almanac seed [selection...]`: load `seeds/*.csv` into the warehouse, dbt's `dbt seed`: all
 * seeds, the named ones, or the ones a model selection reads (`+orders`). All or nothing: a bad
 * file changes no table.
 */
export async function seedCommand(env: AlmanacEnv, projectDir: string, names: readonly string[]) {
  const session = await openSession(env, projectDir);
  try {
    const reports = await loadSeeds(session.ctx, names);
    if (reports.length === 0) process.stdout.write("no seeds in the project\n");
    for (const report of reports) {
      const types = report.columns.map((column) => `${column.name} ${column.type}`).join(", ");
      process.stdout.write(
        `seed ${report.name}: ${report.rows} rows ${report.mode} into "${report.relation.schema}"."${report.relation.identifier}" (${types})\n`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}
