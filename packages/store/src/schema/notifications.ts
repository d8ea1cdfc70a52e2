import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, jsonb, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import {
  type DeliveryStatus,
  deliveryStatuses,
  type NotificationEventType,
  notificationEventTypes,
} from "../statuses.js";
import { almanac, oneOf } from "./almanac-schema.js";

/**
 * The notification outbox: one row per (event, subscribed notification), inserted by the
 * statement that records the event (a run's failure, a backfill's completion, a failed check,
 * an overdue claim), so an event is never recorded without its notification nor the reverse.
 * Servers deliver it: a row is claimed with `for update skip locked` by pushing
 * `next_attempt_at` past a lease, POSTed, then marked delivered or scheduled again with
 * backoff. A server that dies mid-delivery leaves the row pending; the lease runs out and any
 * server sends it again (at least once; the receiver drops repeats by the row id). Inserting
 * notifies `almanac_notifications`, so servers deliver on commit instead of polling.
 */
export const notificationOutbox = almanac.table(
  "notification_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The almanac.yml `notifications[].name` it goes to; its URL is read from the config at delivery. */
    notification: text("notification").notNull(),
    eventType: text("event_type").$type<NotificationEventType>().notNull(),
    /** The event's facts as recorded (run or backfill id, assets, partitions, error…); the body is built from them. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<DeliveryStatus>().notNull().default("pending"),
    /** POSTs started, including one cut off by a crash. */
    attempts: integer("attempts").notNull().default(0),
    /** When a pending row may next be claimed: a retry's backoff or a claim's lease. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** HTTP status of the last attempt; null when none answered (refused, timed out). */
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (table) => [
    // The delivery loop's scan: pending rows that are due, oldest first.
    index("notification_outbox_due_idx").on(table.nextAttemptAt, table.id).where(sql`"status" = 'pending'`),
    // The deliveries listing, newest first.
    index("notification_outbox_created_at_idx").on(table.createdAt, table.id),
    check("notification_outbox_status_check", oneOf("status", deliveryStatuses)),
    check("notification_outbox_event_type_check", oneOf("event_type", notificationEventTypes)),
  ],
);

/**
 * Asset partitions found overdue (freshness): the insert is the claim, so of several servers
 * checking at once exactly one records it and writes its `asset_overdue` notification, once per
 * (asset, partition).
 */
export const overduePartitions = almanac.table(
  "overdue_partitions",
  {
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull(),
    /** Window end + max_lag: when it became overdue. */
    deadline: timestamp("deadline", { withTimezone: true }).notNull(),
    claimedAt: timestamp("claimed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: "overdue_partitions_pkey", columns: [table.assetKey, table.partitionKey] })],
);
