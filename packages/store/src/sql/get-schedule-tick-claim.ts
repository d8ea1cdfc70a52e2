import { and, eq, inArray } from "drizzle-orm";
import type { ScheduleTickRow } from "../row-types.js";
import { scheduleTicks } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";

/** The tick that holds the (schedule, partition) claim — the one that launched its run — if any. */
export async function getScheduleTickClaim(
  db: StoreDb,
  input: { readonly scheduleName: string; readonly partitionKey: string },
): Promise<ScheduleTickRow | undefined> {
  const [row] = await db
    .select()
    .from(scheduleTicks)
    .where(
      and(
        eq(scheduleTicks.scheduleName, input.scheduleName),
        eq(scheduleTicks.partitionKey, input.partitionKey),
        inArray(scheduleTicks.status, ["started", "succeeded"]),
      ),
    )
    .limit(1);
  return row;
}
