import { AlmanacError, isAlmanacError } from "@almanac/errors";
import {
  type RenderedSeedHooks,
  readSeed,
  renderSeedHooks,
  type Seed,
  type SeedTable,
  selectSeeds,
} from "@almanac/project";
import { loadSeed, runHooks, type SeedLoadResult } from "@almanac/warehouse";
import type pg from "pg";
import type { EngineContext } from "./engine-context.js";

/** What `almanac seed` did to one seed. */
export interface SeedReport extends SeedLoadResult {
  readonly name: string;
  readonly path: string;
  /** `"schema"."identifier"` as written to. */
  readonly relation: { readonly schema: string; readonly identifier: string };
  readonly columns: SeedTable["columns"];
}

/** A seed read, typed and with its hooks rendered: everything that can fail before a write. */
export interface PreparedSeed {
  readonly table: SeedTable;
  readonly hooks: RenderedSeedHooks;
}

/**
 * Reads and types seed `seed`'s CSV and renders its hooks. Throws ALMANAC_BAD_SEED (`file:line`)
 * or a template error; nothing is written yet.
 */
export async function prepareSeed(ctx: EngineContext, seed: Seed): Promise<PreparedSeed> {
  const table = await readSeed(ctx.project, seed, ctx.target);
  const hooks = renderSeedHooks(ctx.project, seed.name, { target: ctx.target, vars: ctx.vars, isIncremental: false });
  return { table, hooks };
}

/**
 * Loads a prepared seed on `client`, inside the caller's transaction, between its pre-hooks and
 * post-hooks, as dbt runs a seed's hooks: a failing hook loads nothing. A database error is
 * ALMANAC_BAD_SEED naming the seed's file (a value that does not fit its column type, say).
 */
export async function writeSeed(client: pg.ClientBase, { table, hooks }: PreparedSeed): Promise<SeedReport> {
  try {
    const owner = `seed ${table.name}`;
    await runHooks(client, hooks.preHooks, owner);
    const result = await loadSeed(client, table);
    await runHooks(client, hooks.postHooks, owner);
    return { ...result, name: table.name, path: table.path, relation: table.relation, columns: table.columns };
  } catch (error) {
    if (isAlmanacError(error)) throw error;
    throw new AlmanacError("ALMANAC_BAD_SEED", `${table.path}: ${(error as Error).message}; nothing was loaded`, {
      file: table.path,
      sqlState: (error as { code?: string }).code,
    });
  }
}

/**
 * Loads the seeds `selection` names (seed names or model selections, see `selectSeeds`; every
 * seed when empty) into the warehouse, dbt's `dbt seed`. Every CSV is read and typed and its
 * hooks rendered first, so a template error in a hook loads nothing; then all seeds load in one
 * transaction: a failing hook, a malformed file or a value that does not fit its column type
 * (ALMANAC_BAD_SEED, with `file:line` or the seed's file) leaves every seed table as it was.
 */
export async function loadSeeds(ctx: EngineContext, selection: readonly string[]): Promise<SeedReport[]> {
  const prepared: PreparedSeed[] = [];
  for (const seed of selectSeeds(ctx.project, selection)) prepared.push(await prepareSeed(ctx, seed));
  const client = await ctx.warehouse.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const reports: SeedReport[] = [];
    for (const seed of prepared) reports.push(await writeSeed(client, seed));
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
