import { backfills } from "../schema/index.js";
import type { BackfillOnlyStatus, BackfillPolicy } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

export interface CreateBackfillInput {
  /** The user's selector, as typed. */
  readonly selection: string;
  /** Assets the selection resolved to. Default []. */
  readonly assetKeys?: readonly string[];
  readonly partitionsDef?: string | null;
  /** Inclusive range. */
  readonly partitionFrom?: string | null;
  readonly partitionTo?: string | null;
  /** Default `single_run`. */
  readonly policy?: BackfillPolicy;
  /** With `multi_run`: partitions per run. */
  readonly maxPartitionsPerRun?: number | null;
  readonly onlyStatus?: BackfillOnlyStatus | null;
  /** The backfill this one retries. */
  readonly parentId?: string | null;
  /** Partitions targeted, when already planned. Default 0. */
  readonly partitionCount?: number;
}

/** Records a `requested` backfill. */
export async function createBackfill(db: StoreDb, input: CreateBackfillInput): Promise<{ backfillId: string }> {
  const [row] = await db
    .insert(backfills)
    .values({
      selection: input.selection,
      assetKeys: [...(input.assetKeys ?? [])],
      partitionsDef: input.partitionsDef ?? null,
      partitionFrom: input.partitionFrom ?? null,
      partitionTo: input.partitionTo ?? null,
      policy: input.policy ?? "single_run",
      maxPartitionsPerRun: input.maxPartitionsPerRun ?? null,
      onlyStatus: input.onlyStatus ?? null,
      parentId: input.parentId ?? null,
      partitionCount: input.partitionCount ?? 0,
    })
    .returning({ id: backfills.id });
  if (!row) throw new Error("insert into almanac.backfills returned no row");
  return { backfillId: row.id };
}
