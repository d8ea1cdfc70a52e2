import { sql } from "drizzle-orm";
import type { NotificationEventType } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

/** An outbox row taken for one delivery attempt. */
export interface ClaimedDelivery {
  readonly id: number;
  readonly notification: string;
  readonly eventType: NotificationEventType;
  readonly payload: Readonly<Record<string, unknown>>;
  /** This attempt's number, from 1; pass it back to `recordDeliveryOutcome`. */
  readonly attempt: number;
  readonly createdAt: Date;
}

/**
 * Takes up to `limit` due pending outbox rows, oldest first, for one delivery attempt each:
 * their `attempts` go up and `next_attempt_at` moves `leaseMs` ahead, so no other server takes
 * them while this one POSTs (`for update skip locked` keeps two claims from taking one row).
 * No transaction stays open during the POST: if this server dies, the lease runs out and the
 * row is due again, which is how a crash loses nothing.
 */
export async function claimNotificationDeliveries(
  db: StoreDb,
  options: { readonly limit: number; readonly leaseMs: number },
): Promise<ClaimedDelivery[]> {
  const result = await db.execute<{
    id: string;
    notification: string;
    event_type: NotificationEventType;
    payload: Record<string, unknown>;
    attempts: number;
    created_at: string | Date;
  }>(sql`
    update almanac.notification_outbox o
    set attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => ${options.leaseMs / 1000})
    where o.id in (
      select id from almanac.notification_outbox
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at, id
      limit ${options.limit}
      for update skip locked
    )
    returning o.id, o.notification, o.event_type, o.payload, o.attempts, o.created_at`);
  return result.rows
    .map((row) => ({
      id: Number(row.id),
      notification: row.notification,
      eventType: row.event_type,
      payload: row.payload,
      attempt: row.attempts,
      createdAt: new Date(row.created_at),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Milliseconds until the next pending row is due (0 when one is due now), or null when none is pending. */
export async function nextDeliveryDueMs(db: StoreDb): Promise<number | null> {
  const result = await db.execute<{ ms: number | null }>(sql`
    select greatest(0, extract(epoch from (min(next_attempt_at) - now())) * 1000)::float8 as ms
    from almanac.notification_outbox where status = 'pending'`);
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Number(ms);
}
