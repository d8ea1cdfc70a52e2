import { deliveryBackoffMs, type EngineContext, notificationBody, webhookSignature } from "@almanac/engine";
import type { AlmanacMetrics } from "@almanac/metrics";
import type { QueueLogger } from "@almanac/queue";
import {
  type ClaimedDelivery,
  claimNotificationDeliveries,
  type DeliveryOutcome,
  nextDeliveryDueMs,
  recordDeliveryOutcome,
  storeDb,
} from "@almanac/store";
import { startBackgroundLoop } from "../background-loop.js";
import { postWebhook } from "./post-webhook.js";

export interface NotificationDeliveryOptions {
  readonly ctx: EngineContext;
  readonly logger: QueueLogger;
  /** Counts each attempt in `almanac_webhook_deliveries_total`. Default: not counted. */
  readonly metrics?: Pick<AlmanacMetrics, "webhookDelivery">;
  /** `ALMANAC_PUBLIC_URL`: where links in notifications point. Default: the server's own address (the caller passes it). */
  readonly publicUrl: string;
  /** `ALMANAC_WEBHOOK_SECRET`: signs each body (`X-Almanac-Signature`). Default: unsigned. */
  readonly secret?: string;
  /** `ALMANAC_NOTIFICATION_POLL_MS`: longest sleep between looks when no NOTIFY arrives. Default 5 000. */
  readonly pollMs?: number;
  /** `ALMANAC_WEBHOOK_BACKOFF_MS`: wait after the first failed attempt, doubled after each further one. Default 10 000. */
  readonly backoffMs?: number;
  /** Longest wait between two attempts. Default 3 600 000 (one hour). */
  readonly maxBackoffMs?: number;
  /** `ALMANAC_WEBHOOK_MAX_ATTEMPTS`: attempts before a delivery is `failed`. Default 10 (about 85 minutes of retries at the default backoff). */
  readonly maxAttempts?: number;
  /** `ALMANAC_WEBHOOK_TIMEOUT_MS`: how long a receiver may take to answer. Default 10 000. */
  readonly timeoutMs?: number;
}

export interface NotificationDelivery {
  /** Delivers what is due now (waits for a pass in flight first); resolves with the attempts made. */
  deliverDue(): Promise<number>;
  /** Stops the loop, waits for POSTs in flight, releases the LISTEN connection; safe to call twice. */
  close(): Promise<void>;
}

/** Rows claimed per statement; several POSTs of a batch run at once. */
const batchSize = 20;

/**
 * The delivery loop of a server process. It wakes on `NOTIFY almanac_notifications` (sent when
 * an outbox row commits), when the next retry falls due, or every `pollMs` at the latest, and
 * delivers every due row: claim (a lease, `for update skip locked`), POST, record the outcome.
 * Several servers run it at once and each row goes to one of them per attempt. At least once:
 * a server that dies mid-POST leaves the row to be claimed again once its lease ends, so the
 * receiver may see a body twice and drops it by `Idempotency-Key`.
 */
export function startNotificationDelivery(options: NotificationDeliveryOptions): NotificationDelivery {
  const { ctx, logger } = options;
  const db = storeDb(ctx.store);
  const pollMs = options.pollMs ?? 5_000;
  const backoffMs = options.backoffMs ?? 10_000;
  const maxBackoffMs = options.maxBackoffMs ?? 3_600_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Longer than any POST may take, so a live server's attempt is never taken over mid-flight.
  const leaseMs = timeoutMs + 5_000;
  let closed = false;

  const deliverOne = async (delivery: ClaimedDelivery): Promise<void> => {
    const target = (ctx.project.notifications ?? []).find((n) => n.name === delivery.notification);
    let outcome: DeliveryOutcome;
    if (target === undefined) {
      outcome = {
        kind: "failed",
        httpStatus: null,
        error: `notification "${delivery.notification}" is no longer in almanac.yml`,
      };
    } else {
      const raw = JSON.stringify(notificationBody(delivery, options.publicUrl));
      const headers: Record<string, string> = { "idempotency-key": `almanac-${delivery.id}` };
      if (options.secret) headers["x-almanac-signature"] = webhookSignature(options.secret, raw);
      const answer = await postWebhook(target.url, raw, headers, timeoutMs);
      const error = answer.error ?? "";
      outcome = answer.ok
        ? { kind: "delivered", httpStatus: answer.httpStatus ?? 200 }
        : delivery.attempt >= maxAttempts
          ? { kind: "failed", httpStatus: answer.httpStatus, error }
          : {
              kind: "retry",
              retryInMs: deliveryBackoffMs(delivery.attempt, backoffMs, maxBackoffMs),
              httpStatus: answer.httpStatus,
              error,
            };
    }
    await recordDeliveryOutcome(db, delivery.id, delivery.attempt, outcome);
    options.metrics?.webhookDelivery(delivery.notification, outcome.kind);
    const fields = { deliveryId: delivery.id, notification: delivery.notification, attempt: delivery.attempt };
    if (outcome.kind === "retry") {
      logger.warn({ ...fields, retryInMs: outcome.retryInMs }, `notification delivery failed: ${outcome.error}`);
    } else if (outcome.kind === "failed") {
      logger.error(fields, `notification delivery given up: ${outcome.error}`);
    }
  };

  const loop = startBackgroundLoop({
    name: "notification delivery pass",
    logger,
    listen: { store: ctx.store, channel: "almanac_notifications" },
    // Until the next retry falls due, or `pollMs` at the latest.
    delayMs: async () => Math.min(pollMs, (await nextDeliveryDueMs(db).catch(() => null)) ?? pollMs),
    pass: async () => {
      let attempts = 0;
      for (;;) {
        const claimed = await claimNotificationDeliveries(db, { limit: batchSize, leaseMs });
        if (claimed.length === 0) return attempts;
        await Promise.all(claimed.map(deliverOne));
        attempts += claimed.length;
        if (closed) return attempts;
      }
    },
  });
  return {
    deliverDue: loop.runNow,
    close: async () => {
      closed = true;
      await loop.close();
    },
  };
}
