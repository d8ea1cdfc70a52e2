import { sql } from "drizzle-orm";
import type { StoreDb } from "../store-db.js";

export type DeliveryOutcome =
  | { readonly kind: "delivered"; readonly httpStatus: number }
  | {
      readonly kind: "retry";
      /** When the next attempt is due. */
      readonly retryInMs: number;
      readonly httpStatus: number | null;
      readonly error: string;
    }
  | { readonly kind: "failed"; readonly httpStatus: number | null; readonly error: string };

/**
 * Records how attempt `attempt` of outbox row `id` ended: delivered, due again after a backoff,
 * or given up (`failed`). Fenced by the attempt: when the lease ran out and another server took
 * the row meanwhile, a late answer is not recorded over the newer attempt (a delivery is still
 * recorded: the receiver got it). Returns whether the row changed.
 */
export async function recordDeliveryOutcome(
  db: StoreDb,
  id: number,
  attempt: number,
  outcome: DeliveryOutcome,
): Promise<boolean> {
  const fence = outcome.kind === "delivered" ? sql`` : sql`and attempts = ${attempt}`;
  const set =
    outcome.kind === "delivered"
      ? sql`status = 'delivered', delivered_at = now(), last_status = ${outcome.httpStatus}`
      : outcome.kind === "retry"
        ? sql`next_attempt_at = now() + make_interval(secs => ${outcome.retryInMs / 1000}),
              last_status = ${outcome.httpStatus}, last_error = ${outcome.error}`
        : sql`status = 'failed', last_status = ${outcome.httpStatus}, last_error = ${outcome.error}`;
  const result = await db.execute(sql`
    update almanac.notification_outbox set ${set}
    where id = ${id} and status = 'pending' ${fence}`);
  return (result.rowCount ?? 0) > 0;
}
