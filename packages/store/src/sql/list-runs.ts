import { AlmanacError } from "@almanac/errors";
import { and, desc, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { RunRow } from "../row-types.js";
import { runs } from "../schema/index.js";
import type { RunStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

export interface ListRunsOptions {
  /** One status or several. */
  readonly status?: RunStatus | readonly RunStatus[];
  /** Runs whose selection resolved to this asset. */
  readonly assetKey?: string;
  /** Runs whose inclusive range covers this key. */
  readonly partitionKey?: string;
  readonly backfillId?: string;
  /** Page size, 1 to 1,000. Default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface RunPage {
  /** Newest first. */
  readonly runs: RunRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Runs newest first, filtered, with keyset paging (the cursor is the last run's id, so pages
 * stay stable while new runs arrive). Throws ALMANAC_BAD_REQUEST for a malformed cursor.
 */
export async function listRuns(db: StoreDb, options: ListRunsOptions = {}): Promise<RunPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 1_000);
  const conditions: (SQL | undefined)[] = [];
  if (options.status !== undefined) {
    const statuses = typeof options.status === "string" ? [options.status] : [...options.status];
    conditions.push(inArray(runs.status, statuses));
  }
  if (options.assetKey !== undefined) {
    conditions.push(sql`${runs.assetKeys} @> array[${options.assetKey}]::text[]`);
  }
  if (options.partitionKey !== undefined) {
    conditions.push(lte(runs.partitionFrom, options.partitionKey), gte(runs.partitionTo, options.partitionKey));
  }
  if (options.backfillId !== undefined) {
    if (!isUuid(options.backfillId)) return { runs: [], nextCursor: null };
    conditions.push(eq(runs.backfillId, options.backfillId));
  }
  if (options.cursor !== undefined) {
    if (!isUuid(options.cursor)) {
      throw new AlmanacError(
        "ALMANAC_BAD_REQUEST",
        `cursor "${options.cursor}" is not a run id: pass nextCursor as is`,
      );
    }
    conditions.push(
      sql`(${runs.createdAt}, ${runs.id}) < (select created_at, id from almanac.runs where id = ${options.cursor})`,
    );
  }
  const rows = await db
    .select()
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { runs: page, nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
