import { eq } from "drizzle-orm";
import type { BackfillRow } from "../row-types.js";
import { backfills } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import { isUuid } from "./uuid.js";

/** A backfill, or null when there is none with this id (a malformed id included). */
export async function getBackfill(db: StoreDb, backfillId: string): Promise<BackfillRow | null> {
  if (!isUuid(backfillId)) return null;
  const [row] = await db.select().from(backfills).where(eq(backfills.id, backfillId));
  return row ?? null;
}
