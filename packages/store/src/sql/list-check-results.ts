import { and, asc, eq, gte, lte } from "drizzle-orm";
import { assetChecks } from "../schema/index.js";
import type { StoreDb } from "../store-db.js";
import type { CheckStatusQuery } from "./list-check-statuses.js";

/** Every recorded check result of an asset's partitions in a range, by partition then check. */
export async function listCheckResults(db: StoreDb, query: CheckStatusQuery) {
  return db
    .select()
    .from(assetChecks)
    .where(
      and(
        eq(assetChecks.assetKey, query.assetKey),
        query.from === undefined ? undefined : gte(assetChecks.partitionKey, query.from),
        query.to === undefined ? undefined : lte(assetChecks.partitionKey, query.to),
      ),
    )
    .orderBy(asc(assetChecks.partitionKey), asc(assetChecks.checkName));
}
