import { AlmanacError } from "@almanac/errors";
import { firstPartitionKey, lastPartitionKey, partitionKeysInRange, validatePartitionKey } from "@almanac/partitions";
import { type Project, partitionsOf, type Target } from "@almanac/project";
import { type CheckStatus, listCheckStatuses, listPartitionEntries, type StoreDb } from "@almanac/store";
import { cachedCodeVersion } from "./cached-code-versions.js";
import { stalenessUpstream } from "./staleness-upstream.js";

/** What a person asks about one partition: DESIGN §5 `GET /api/assets/:key/partitions`. */
export interface PartitionStatusEntry {
  readonly key: string;
  readonly status: "missing" | "queued" | "running" | "materialized" | "failed";
  /** Materialized, but its code changed or an upstream partition was re-materialized since. */
  readonly stale: boolean;
  readonly runId: string | null;
  /** ISO-8601 in UTC with milliseconds (`Date#toISOString`'s form), as the reply carries it. */
  readonly updatedAt: string | null;
  readonly materializedAt: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /**
   * The partition's checks (dbt tests): `failed` when an error-severity test failed, `warned`
   * when only warn-severity ones found rows, `passed`, or null when never checked.
   */
  readonly checks: CheckStatus | null;
}

export type PartitionStatus = PartitionStatusEntry["status"];

export interface StatusQuery {
  readonly from?: string;
  readonly to?: string;
  readonly statuses?: readonly PartitionStatus[];
  /** Decides the last partition; pass the clock at the edge. */
  readonly now: Date;
}

/**
 * Every partition of an asset with its status, missing ones included (one entry with key ""
 * for a non-partitioned asset). Staleness per DESIGN §3.6: a materialized partition is stale
 * when its code version differs from the model's current one, or an upstream partition it maps
 * to (any partition, for a non-partitioned upstream) materialized after it.
 */
export async function assetPartitionStatuses(
  db: StoreDb,
  project: Project,
  target: Target,
  assetKey: string,
  query: StatusQuery,
): Promise<PartitionStatusEntry[]> {
  if (!project.models.has(assetKey)) {
    throw new AlmanacError("ALMANAC_UNKNOWN_ASSET", `no model named "${assetKey}" in project ${project.name}`);
  }
  const keys = keysOf(project, assetKey, query);
  const rows = new Map(
    (
      await listPartitionEntries(db, {
        assetKey,
        from: query.from,
        to: query.to,
        codeVersion: cachedCodeVersion({ project, target }, assetKey),
        upstream: stalenessUpstream(project, assetKey, keys),
      })
    ).map((row) => [row.partitionKey, row]),
  );
  // Assets without tests skip the query: the listing stays as lean as before for them.
  const checks = project.tests.some((test) => test.asset === assetKey)
    ? await listCheckStatuses(db, { assetKey, from: query.from, to: query.to })
    : new Map<string, CheckStatus>();
  const entries = keys.map((key): PartitionStatusEntry => {
    const row = rows.get(key);
    return {
      key,
      status: row?.status ?? "missing",
      stale: row?.stale ?? false,
      runId: row?.runId ?? null,
      updatedAt: row?.updatedAt ?? null,
      materializedAt: row?.materializedAt ?? null,
      errorCode: row?.errorCode ?? null,
      errorMessage: row?.errorMessage ?? null,
      checks: checks.get(key) ?? null,
    };
  });
  return query.statuses ? entries.filter((e) => query.statuses?.includes(e.status)) : entries;
}

function keysOf(project: Project, assetKey: string, query: StatusQuery): string[] {
  const partitions = partitionsOf(project, assetKey);
  if (!partitions) return [""];
  if (query.from !== undefined) validatePartitionKey(partitions, query.from);
  if (query.to !== undefined) validatePartitionKey(partitions, query.to);
  // The ends only, not every key up to now: a listing of one year of ten used to build all ten.
  const last = lastPartitionKey(partitions, query.now);
  if (last === undefined) return [];
  const from = query.from ?? firstPartitionKey(partitions, query.now);
  const to = query.to ?? last;
  if (from === undefined) return [];
  return partitionKeysInRange(partitions, from, to);
}
