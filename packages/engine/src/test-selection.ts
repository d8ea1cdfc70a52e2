import { AlmanacError } from "@almanac/errors";
import { partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { partitionsOf, projectAsset, selectModels, selectSeeds } from "@almanac/project";
import { listPartitionStatuses, storeDb } from "@almanac/store";
import type { EngineContext } from "./engine-context.js";
import { type CheckOutcome, checksOf, runChecks } from "./run-checks.js";

/** Which partitions `almanac test` checks; none given: every materialized partition. */
export interface TestSelectionOptions {
  readonly partition?: string;
  /** First key of an inclusive range. */
  readonly from?: string;
  /** Last key of an inclusive range. */
  readonly to?: string;
  /** For key validation. */
  readonly now: Date;
}

/** The checks of one selected model. */
export interface TestedAsset {
  readonly assetKey: string;
  readonly outcomes: readonly CheckOutcome[];
  /** Partitions asked for that have no data yet, so were not checked. */
  readonly notMaterialized: number;
}

/**
 * `almanac test <selection>`: runs the dbt tests of the selected models again on partitions that
 * are already materialized (the whole range, or `--partition` / `--from --to`), records the
 * outcomes, and returns them per model. Models without tests are left out; a selection whose
 * models have none is ALMANAC_EMPTY_SELECTION.
 */
export async function testSelection(
  ctx: EngineContext,
  selection: string,
  options: TestSelectionOptions,
): Promise<TestedAsset[]> {
  if (options.partition !== undefined && (options.from !== undefined || options.to !== undefined)) {
    throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", "pass either --partition or --from/--to, not both");
  }
  const from = options.partition ?? options.from;
  const to = options.partition ?? options.to;
  const models = ctx.project.seeds.has(selection) ? [] : selectModels(ctx.project, selection);
  const tested: TestedAsset[] = [];
  // Seeds with tests: the ones named, read by the selected models, or all of them for "*".
  const seeds = selection.trim() === "*" ? [...ctx.project.seeds.values()] : selectSeeds(ctx.project, [selection]);
  const testedSeeds = seeds.map((seed) => seed.name).filter((name) => checksOf(ctx, name).length > 0);
  const testedModels = models.filter((name) => checksOf(ctx, name).length > 0);
  // Tests that check no model run with "*", as `dbt test` runs them.
  const projectTests = selection.trim() === "*" && checksOf(ctx, projectAsset).length > 0;
  if (testedModels.length === 0 && testedSeeds.length === 0 && !projectTests) {
    throw new AlmanacError(
      "ALMANAC_EMPTY_SELECTION",
      `"${selection}" selects no model or seed with tests (schema.yml tests or tests/*.sql)`,
      { selection },
    );
  }
  if (projectTests) {
    tested.push({
      assetKey: projectAsset,
      outcomes: await runChecks(ctx, projectAsset, [""], null),
      notMaterialized: 0,
    });
  }
  for (const seed of testedSeeds) {
    tested.push({ assetKey: seed, outcomes: await runChecks(ctx, seed, [""], null), notMaterialized: 0 });
  }
  for (const assetKey of testedModels) {
    const partitions = partitionsOf(ctx.project, assetKey);
    if (partitions) {
      for (const key of [from, to]) if (key !== undefined) validatePartitionKey(partitions, key, options.now);
      if (from !== undefined && to !== undefined && from > to) {
        throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", `--from ${from} is after --to ${to}`);
      }
    }
    const rows = await listPartitionStatuses(storeDb(ctx.store), {
      assetKey,
      ...(partitions && from !== undefined ? { from } : {}),
      ...(partitions && to !== undefined ? { to } : {}),
    });
    const keys = rows.filter((row) => row.materializedAt !== null).map((row) => row.partitionKey);
    const asked =
      partitions && from !== undefined && to !== undefined
        ? partitionKeysInRange(partitions, from, to).length
        : keys.length;
    const outcomes = await runChecks(ctx, assetKey, keys, null);
    tested.push({ assetKey, outcomes, notMaterialized: Math.max(0, asked - keys.length) });
  }
  return tested;
}
