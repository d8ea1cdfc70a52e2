import { AlmanacError } from "@almanac/errors";
import { partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { partitionsOf, selectModels } from "@almanac/project";
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
  const models = selectModels(ctx.project, selection).filter((name) => checksOf(ctx, name).length > 0);
  if (models.length === 0) {
    throw new AlmanacError(
      "ALMANAC_EMPTY_SELECTION",
      `"${selection}" selects no model with tests (schema.yml tests or tests/*.sql)`,
      { selection },
    );
  }
  const tested: TestedAsset[] = [];
  for (const assetKey of models) {
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
