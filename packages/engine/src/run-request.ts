import { AlmanacError } from "@almanac/errors";
import {
  keysForEventTime,
  type PartitionsDefinition,
  partitionKeysInRange,
  validatePartitionKey,
} from "@almanac/partitions";
import { type Project, partitionsOf, selectNodes } from "@almanac/project";
import { partitionedParents } from "./mapped-keys.js";

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
  /**
   * The partitions definition the keys belong to. Default: that of the selection's most
   * downstream partitioned assets; needed only when those have different definitions.
   */
  readonly partitions?: string;
  /**
   * dbt's `--event-time-start`/`--event-time-end` (end exclusive; UTC unless an offset is
   * given): the partitions whose windows hold any of that time. Exclusive with the keys.
   */
  readonly eventTimeStart?: string;
  readonly eventTimeEnd?: string;
}

/** A request checked against the project: the models it selects and the keys it covers. */
export interface ResolvedRequest {
  readonly select: string;
  /** Selected models that are materialized (ephemeral ones are inlined, never run), upstream first. */
  readonly models: readonly string[];
  /**
   * Seeds the selection reaches (by name, tag or path, or upstream of a model as in `+orders`):
   * each loads in a step of its own before the models, as `dbt build` loads them.
   */
  readonly seeds: readonly string[];
  /**
   * The definition the requested keys belong to (see `RunRequest.partitions`), if any model is
   * partitioned; models of other definitions run the partitions the keys map to (planRun).
   */
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
  const selected = selectNodes(project, request.select);
  const models = selected.models.filter((name) => project.models.get(name)?.config.materialized !== "ephemeral");
  if (models.length === 0 && selected.seeds.length === 0) {
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
  const partitions = requestPartitions(project, models, request);
  const keys = requestedKeys(request, partitions, now);
  if (keys.length === 0 && partitions) {
    throw new AlmanacError(
      "ALMANAC_PARTITION_REQUIRED",
      `selection "${request.select}" holds models partitioned by "${partitions.name}" ` +
        `(${models.filter((m) => partitionsOf(project, m)).join(", ")}): pass --partition KEY or --from A --to B`,
    );
  }
  return { select: request.select, models, seeds: selected.seeds, partitions, keys };
}

/**
 * The definition the request's keys belong to: the one it names, else the one of the
 * selection's most downstream partitioned models (those no other selected partitioned model
 * reads). Roots of different definitions are refused, naming them, since a key of one is not a
 * key of the other.
 */
function requestPartitions(
  project: Project,
  models: readonly string[],
  request: RunRequest,
): PartitionsDefinition | undefined {
  const partitioned = models.filter((model) => partitionsOf(project, model));
  if (request.partitions !== undefined) {
    const named = project.partitions.get(request.partitions);
    if (!named) {
      const known = [...project.partitions.keys()].join(", ") || "none";
      throw new AlmanacError(
        "ALMANAC_BAD_PARTITIONS_DEFINITION",
        `partitions "${request.partitions}" is not defined in almanac.yml (defined: ${known})`,
        { partitions: request.partitions },
      );
    }
    return partitioned.length === 0 ? undefined : named;
  }
  const read = new Set(
    partitioned.flatMap((model) =>
      partitionedParents(project, model)
        .filter((parent) => !parent.self)
        .map((parent) => parent.asset),
    ),
  );
  const roots = partitioned.filter((model) => !read.has(model));
  const byDefinition = new Map<string, string[]>();
  for (const root of roots) {
    const name = partitionsOf(project, root)?.name as string;
    byDefinition.set(name, [...(byDefinition.get(name) ?? []), root]);
  }
  if (byDefinition.size > 1) {
    const listed = [...byDefinition].map(([name, assets]) => `"${name}" (${assets.join(", ")})`).join(" and ");
    throw new AlmanacError(
      "ALMANAC_BAD_SELECTOR",
      `selection "${request.select}" ends in assets of different partitions definitions, ${listed}: ` +
        "name the definition the keys belong to (--partitions NAME, or partitions in the request), or run them separately",
      { definitions: [...byDefinition.keys()] },
    );
  }
  const [first] = byDefinition.keys();
  return first === undefined ? undefined : project.partitions.get(first);
}

function requestedKeys(request: RunRequest, partitions: PartitionsDefinition | undefined, now: Date): string[] {
  if (request.eventTimeStart !== undefined || request.eventTimeEnd !== undefined) {
    return eventTimeKeys(request, partitions, now);
  }
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

function eventTimeKeys(request: RunRequest, partitions: PartitionsDefinition | undefined, now: Date): string[] {
  const { eventTimeStart: start, eventTimeEnd: end } = request;
  if (request.partition !== undefined || request.from !== undefined || request.to !== undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_PARTITION_RANGE",
      "give either partition keys or an event-time range, not both",
    );
  }
  if (start === undefined || end === undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_PARTITION_RANGE",
      "an event-time range needs both --event-time-start and --event-time-end",
    );
  }
  if (!partitions) {
    throw new AlmanacError(
      "ALMANAC_NOT_PARTITIONED",
      `selection "${request.select}" holds no partitioned model, so it takes no event-time range`,
    );
  }
  const range = keysForEventTime(partitions, start, end);
  return requestedKeys({ select: request.select, ...range }, partitions, now);
}
