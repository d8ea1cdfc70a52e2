import { AlmanacError } from "@almanac/errors";
import { type PartitionsDefinition, partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { type Project, partitionsOf, selectModels } from "@almanac/project";

/** What a person asks for: a selection, and a partition or an inclusive range of partitions. */
export interface RunRequest {
  /** dbt selection syntax, e.g. `+daily_metrics`. */
  readonly select: string;
  /** One partition key. Exclusive with `from`/`to`. */
  readonly partition?: string;
  /** First key of an inclusive range. */
  readonly from?: string;
  /** Last key of an inclusive range. */
  readonly to?: string;
}

/** A request checked against the project: the models it selects and the keys it covers. */
export interface ResolvedRequest {
  readonly select: string;
  /** Selected models that are materialized (ephemeral ones are inlined, never run), upstream first. */
  readonly models: readonly string[];
  /** The one partitions definition of the selected partitioned models, if any is selected. */
  readonly partitions: PartitionsDefinition | undefined;
  /** The requested keys, in order; empty when no partition was asked for. */
  readonly keys: readonly string[];
}

/**
 * Checks a request against the project and resolves it. Throws a precise AlmanacError for an
 * empty or unknown selection, a malformed or out-of-range key, `from` after `to`, a partition
 * given for a selection without partitioned models, or a partitioned selection without one.
 *
 * @param now - for the "after the last partition" check; pass the clock at the edge.
 */
export function resolveRunRequest(project: Project, request: RunRequest, now: Date): ResolvedRequest {
  const models = selectModels(project, request.select).filter(
    (name) => project.models.get(name)?.config.materialized !== "ephemeral",
  );
  if (models.length === 0) {
    throw new AlmanacError("ALMANAC_EMPTY_SELECTION", `selection "${request.select}" holds only ephemeral models`);
  }
  for (const model of models) {
    const materialized = project.models.get(model)?.config.materialized;
    if (partitionsOf(project, model) && materialized !== "incremental") {
      throw new AlmanacError(
        "ALMANAC_BAD_MODEL_CONFIG",
        `model "${model}" (${project.models.get(model)?.path}) is partitioned but materialized as ${materialized}: ` +
          "a partition run writes one window, so partitioned models must be incremental",
      );
    }
  }
  const partitions = commonPartitions(project, models);
  const keys = requestedKeys(request, partitions, now);
  if (keys.length === 0 && partitions) {
    throw new AlmanacError(
      "ALMANAC_PARTITION_REQUIRED",
      `selection "${request.select}" holds models partitioned by "${partitions.name}" ` +
        `(${models.filter((m) => partitionsOf(project, m)).join(", ")}): pass --partition KEY or --from A --to B`,
    );
  }
  return { select: request.select, models, partitions, keys };
}

function commonPartitions(project: Project, models: readonly string[]): PartitionsDefinition | undefined {
  let found: { def: PartitionsDefinition; model: string } | undefined;
  for (const model of models) {
    const def = partitionsOf(project, model);
    if (!def) continue;
    if (found && found.def.name !== def.name) {
      throw new AlmanacError(
        "ALMANAC_BAD_SELECTOR",
        `selection mixes partitions definitions "${found.def.name}" (${found.model}) and "${def.name}" (${model}); run them separately`,
      );
    }
    found ??= { def, model };
  }
  return found?.def;
}

function requestedKeys(request: RunRequest, partitions: PartitionsDefinition | undefined, now: Date): string[] {
  const hasRange = request.from !== undefined || request.to !== undefined;
  if (request.partition === undefined && !hasRange) return [];
  if (request.partition !== undefined && hasRange) {
    throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", "give either a partition or a from/to range, not both");
  }
  if (!partitions) {
    throw new AlmanacError(
      "ALMANAC_NOT_PARTITIONED",
      `selection "${request.select}" holds no partitioned model, so it takes no partition; drop --partition/--from/--to`,
    );
  }
  if (request.partition !== undefined) {
    validatePartitionKey(partitions, request.partition, now);
    return [request.partition];
  }
  if (request.from === undefined || request.to === undefined) {
    throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", "a range needs both from and to (inclusive keys)");
  }
  validatePartitionKey(partitions, request.from, now);
  validatePartitionKey(partitions, request.to, now);
  return partitionKeysInRange(partitions, request.from, request.to);
}
