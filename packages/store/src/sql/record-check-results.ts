import { sql } from "drizzle-orm";
import type { CheckSeverity, CheckStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** One check's outcome on one asset partition. */
export interface CheckResultInput {
  readonly assetKey: string;
  /** '' for a non-partitioned asset. */
  readonly partitionKey: string;
  readonly checkName: string;
  readonly status: CheckStatus;
  readonly severity: CheckSeverity;
  /** Rows the test returned; null when it could not run. */
  readonly failures: number | null;
  readonly message: string | null;
  /** The run that materialized the partition; null for `almanac test`. */
  readonly runId: string | null;
}

/**
 * Records check outcomes in one upsert: each (asset, partition, check) keeps its latest result.
 * Returns the number of rows written.
 */
export async function recordCheckResults(db: StoreDb, results: readonly CheckResultInput[]): Promise<number> {
  if (results.length === 0) return 0;
  const column = <K extends keyof CheckResultInput>(key: K) => sql.param(results.map((result) => result[key]));
  const written = await db.execute(sql`
    insert into almanac.asset_checks as c
      (asset_key, partition_key, check_name, status, severity, failures, message, run_id, checked_at)
    select r.asset_key, r.partition_key, r.check_name, r.status, r.severity, r.failures, r.message, r.run_id, now()
    from unnest(${column("assetKey")}::text[], ${column("partitionKey")}::text[], ${column("checkName")}::text[],
                ${column("status")}::text[], ${column("severity")}::text[], ${column("failures")}::int[],
                ${column("message")}::text[], ${column("runId")}::uuid[])
      as r(asset_key, partition_key, check_name, status, severity, failures, message, run_id)
    on conflict (asset_key, partition_key, check_name) do update
    set status = excluded.status, severity = excluded.severity, failures = excluded.failures,
        message = excluded.message, run_id = excluded.run_id, checked_at = excluded.checked_at`);
  return written.rowCount ?? 0;
}
