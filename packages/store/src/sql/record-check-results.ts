import { sql } from "drizzle-orm";
import type { CheckSeverity, CheckStatus } from "../statuses.js";
import type { StoreDb } from "../store-db.js";
import { outboxInsert } from "./outbox-insert.js";

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
 * Failed checks (severity error; warnings do not page anyone) write one `check_failed`
 * notification per asset and run for each of `notify`, in the same statement, listing the
 * failed checks and the partitions they failed on. Returns the number of rows written.
 *
 * @param notify - notifications subscribed to `check_failed`. Default none.
 */
export async function recordCheckResults(
  db: StoreDb,
  results: readonly CheckResultInput[],
  notify?: readonly string[],
): Promise<number> {
  if (results.length === 0) return 0;
  const column = <K extends keyof CheckResultInput>(key: K) => sql.param(results.map((result) => result[key]));
  const written = await db.execute<{ n: number }>(sql`
    with written as (
    insert into almanac.asset_checks as c
      (asset_key, partition_key, check_name, status, severity, failures, message, run_id, checked_at)
    select r.asset_key, r.partition_key, r.check_name, r.status, r.severity, r.failures, r.message, r.run_id, now()
    from unnest(${column("assetKey")}::text[], ${column("partitionKey")}::text[], ${column("checkName")}::text[],
                ${column("status")}::text[], ${column("severity")}::text[], ${column("failures")}::int[],
                ${column("message")}::text[], ${column("runId")}::uuid[])
      as r(asset_key, partition_key, check_name, status, severity, failures, message, run_id)
    on conflict (asset_key, partition_key, check_name) do update
    set status = excluded.status, severity = excluded.severity, failures = excluded.failures,
        message = excluded.message, run_id = excluded.run_id, checked_at = excluded.checked_at
    returning asset_key, partition_key, check_name, status, failures, message, run_id
    )${outboxInsert(
      "outbox",
      results.some((result) => result.status === "failed") ? notify : undefined,
      "check_failed",
      sql`(select jsonb_build_object(
          'runId', run_id, 'assets', jsonb_build_array(asset_key),
          'partitionFrom', nullif(min(partition_key), ''), 'partitionTo', nullif(max(partition_key), ''),
          'checks', jsonb_agg(jsonb_build_object('name', check_name, 'partition', nullif(partition_key, ''),
            'failures', failures, 'message', message) order by partition_key, check_name)) as payload
        from written where status = 'failed' group by asset_key, run_id)`,
    )}
    select count(*)::int as n from written`);
  return written.rows[0]?.n ?? 0;
}
