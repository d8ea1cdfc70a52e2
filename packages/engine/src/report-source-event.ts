import { AlmanacError } from "@almanac/errors";
import { partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { recordSourceEvent, type SourceEventRow, storeDb } from "@almanac/store";
import { followersOf } from "./automation-targets.js";
import type { EngineContext } from "./engine-context.js";
import { sourcePartitionsOf } from "./source-partitions.js";

/** What a loader reports: one partition, an inclusive range, or nothing (the whole table). */
export interface SourceEventRequest {
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * Records that source table `sourceKey` (`raw.events`) got new data, for the partitions given
 * (keys of the source's definition: see `sourcePartitionsOf`) or the whole table. What reads
 * those partitions is stale from then on, and eager assets that read it are woken. Bad input
 * throws before anything is written.
 *
 * @throws AlmanacError ALMANAC_NOT_FOUND for a source no `sources:` block defines; a bad key's
 *   code; ALMANAC_BAD_PARTITION_RANGE; ALMANAC_NOT_PARTITIONED for keys of a source without a definition
 */
export async function reportSourceEvent(
  ctx: EngineContext,
  sourceKey: string,
  request: SourceEventRequest,
  options: { readonly reportedBy: string; readonly now: Date },
): Promise<SourceEventRow> {
  if (!ctx.project.sources.has(sourceKey)) {
    const known = [...ctx.project.sources.keys()].join(", ") || "none";
    throw new AlmanacError(
      "ALMANAC_NOT_FOUND",
      `no source table ${sourceKey} in any sources: block (defined: ${known})`,
      {
        source: sourceKey,
      },
    );
  }
  const def = sourcePartitionsOf(ctx.project, sourceKey);
  const range = reportedRange(request);
  if (range && !def) {
    throw new AlmanacError(
      "ALMANAC_NOT_PARTITIONED",
      `source ${sourceKey} has no partitions definition (no partitioned asset reads it and almanac.yml sources: names none): report it without keys`,
      { source: sourceKey },
    );
  }
  if (range && def) {
    validatePartitionKey(def, range.from, options.now);
    validatePartitionKey(def, range.to, options.now);
    partitionKeysInRange(def, range.from, range.to); // refuses from after to
  }
  return recordSourceEvent(
    storeDb(ctx.store),
    {
      sourceKey,
      reportedBy: options.reportedBy,
      ...(range && def ? { partitionsDef: def.name, partitionFrom: range.from, partitionTo: range.to } : {}),
    },
    { followed: followersOf(ctx.project, sourceKey).length > 0 },
  );
}

function reportedRange(request: SourceEventRequest): { from: string; to: string } | undefined {
  const hasRange = request.from !== undefined || request.to !== undefined;
  if (request.partition !== undefined && hasRange) {
    throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", "give either a partition or a from/to range, not both");
  }
  if (request.partition !== undefined) return { from: request.partition, to: request.partition };
  if (!hasRange) return undefined;
  if (request.from === undefined || request.to === undefined) {
    throw new AlmanacError("ALMANAC_BAD_PARTITION_RANGE", "a range needs both from and to (inclusive keys)");
  }
  return { from: request.from, to: request.to };
}
