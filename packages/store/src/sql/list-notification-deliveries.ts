import { AlmanacError } from "@almanac/errors";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { notificationOutbox } from "../schema/index.js";
import type { DeliveryStatus, NotificationEventType } from "../statuses.js";
import type { StoreDb } from "../store-db.js";

export interface ListNotificationDeliveriesOptions {
  readonly status?: DeliveryStatus;
  readonly notification?: string;
  /** Page size, 1 to 1,000. Default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One outbox row as the API lists it. */
export interface NotificationDeliveryRow {
  readonly id: number;
  readonly notification: string;
  readonly eventType: NotificationEventType;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

export interface NotificationDeliveryPage {
  /** Newest first. */
  readonly deliveries: NotificationDeliveryRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Outbox rows newest first, filtered, with keyset paging on the row id (ids grow with
 * insertion, so pages stay stable while new events arrive). Throws ALMANAC_BAD_REQUEST for a
 * malformed cursor.
 */
export async function listNotificationDeliveries(
  db: StoreDb,
  options: ListNotificationDeliveriesOptions = {},
): Promise<NotificationDeliveryPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 1_000);
  const conditions: (SQL | undefined)[] = [];
  if (options.status !== undefined) conditions.push(eq(notificationOutbox.status, options.status));
  if (options.notification !== undefined) conditions.push(eq(notificationOutbox.notification, options.notification));
  if (options.cursor !== undefined) {
    if (!/^[1-9][0-9]{0,17}$/.test(options.cursor)) {
      throw new AlmanacError(
        "ALMANAC_BAD_REQUEST",
        `cursor "${options.cursor}" is not a delivery id: pass nextCursor as is`,
      );
    }
    conditions.push(sql`${notificationOutbox.id} < ${Number(options.cursor)}`);
  }
  const rows = await db
    .select()
    .from(notificationOutbox)
    .where(and(...conditions))
    .orderBy(desc(notificationOutbox.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { deliveries: page, nextCursor: rows.length > limit ? String(page[page.length - 1]?.id ?? "") : null };
}
