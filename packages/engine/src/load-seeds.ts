import { AlmanacError, isAlmanacError } from "@almanac/errors";
import { type RenderedSeedHooks, readSeed, renderSeedHooks, type SeedTable, selectSeeds } from "@almanac/project";
import { loadSeed, runHooks, type SeedLoadResult } from "@almanac/warehouse";
import type { EngineContext } from "./engine-context.js";

/** What `almanac seed` did to one seed. */
export interface SeedReport extends SeedLoadResult {
  readonly name: string;
  readonly path: string;
  /** `"schema"."identifier"` as written to. */
  readonly relation: { readonly schema: string; readonly identifier: string };
  readonly columns: SeedTable["columns"];
}

/**
 * Loads the seeds `selection` names (seed names or model selections, see `selectSeeds`; every
 * seed when empty) into the warehouse, dbt's `dbt seed`. Every CSV is
 * read and typed and its hooks rendered first, then all seeds load in one transaction, each
 * between its pre-hooks and post-hooks: a failing hook, a malformed file or a value that
 * does not fit its column type (ALMANAC_BAD_SEED, with `file:line` or the seed's file) leaves
 * every seed table as it was.
 */
export async function loadSeeds(ctx: EngineContext, selection: readonly string[]): Promise<SeedReport[]> {
  const tables: SeedTable[] = [];
  const hooks = new Map<string, RenderedSeedHooks>();
  const renderContext = { target: ctx.target, vars: ctx.vars, isIncremental: false };
  for (const seed of selectSeeds(ctx.project, selection)) {
    tables.push(await readSeed(ctx.project, seed, ctx.target));
    // Rendered before anything is written, so a template error in a hook loads nothing.
    hooks.set(seed.name, renderSeedHooks(ctx.project, seed.name, renderContext));
  }
  const client = await ctx.warehouse.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const reports: SeedReport[] = [];
    for (const table of tables) {
      try {
        // Inside the seeds' transaction, as dbt runs a seed's hooks: a failing hook loads nothing.
        const seedHooks = hooks.get(table.name);
        const owner = `seed ${table.name}`;
        await runHooks(client, seedHooks?.preHooks ?? [], owner);
        const result = await loadSeed(client, table);
        await runHooks(client, seedHooks?.postHooks ?? [], owner);
        reports.push({
          ...result,
          name: table.name,
          path: table.path,
          relation: table.relation,
          columns: table.columns,
        });
      } catch (error) {
        if (isAlmanacError(error)) throw error;
        throw new AlmanacError("ALMANAC_BAD_SEED", `${table.path}: ${(error as Error).message}; nothing was loaded`, {
          file: table.path,
          sqlState: (error as { code?: string }).code,
        });
      }
    }
    await client.query("commit");
    return reports;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
