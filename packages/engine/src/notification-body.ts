import { createHmac } from "node:crypto";
import type { ClaimedDelivery } from "@almanac/store";

/**
 * The JSON a notification POSTs. `id` is the outbox row's id, the same on every attempt (and
 * sent as `Idempotency-Key`), so a receiver can drop repeats; `text` is a one-line summary
 * with a link, which is all a Slack incoming webhook reads.
 */
export interface NotificationBody {
  readonly id: string;
  readonly type: ClaimedDelivery["eventType"];
  readonly notification: string;
  /** When the event was recorded (ISO-8601). */
  readonly createdAt: string;
  readonly runId: string | null;
  readonly backfillId: string | null;
  readonly assets: readonly string[];
  /** Inclusive keys; null for an event without partitions. */
  readonly partitions: { readonly from: string; readonly to: string } | null;
  readonly error: { readonly code: string | null; readonly message: string | null } | null;
  /** The page of the run, backfill or asset in the web UI. */
  readonly link: string;
  readonly text: string;
  /** The event's own facts as recorded (backfill run counts, failed checks, deadline…). */
  readonly details: Readonly<Record<string, unknown>>;
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * Builds the body of one delivery from its outbox row. Pure and deterministic: every attempt
 * of a row sends the same bytes, so the signature and the idempotency key stay the same.
 *
 * @param publicUrl - where people open the web UI (`ALMANAC_PUBLIC_URL`), without a trailing slash.
 */
export function notificationBody(delivery: ClaimedDelivery, publicUrl: string): NotificationBody {
  const { runId, backfillId, assets, partitionFrom, partitionTo, error, ...details } = delivery.payload;
  const assetKeys = Array.isArray(assets) ? assets.filter((a): a is string => typeof a === "string") : [];
  const from = text(partitionFrom);
  const to = text(partitionTo) ?? from;
  const failure =
    typeof error === "object" && error !== null
      ? {
          code: text((error as Record<string, unknown>).code),
          message: text((error as Record<string, unknown>).message),
        }
      : null;
  const base = publicUrl.replace(/\/+$/, "");
  const path =
    delivery.eventType === "backfill_completed"
      ? `/backfills/${text(backfillId)}`
      : delivery.eventType === "asset_overdue" || text(runId) === null
        ? `/assets/${encodeURIComponent(assetKeys[0] ?? "")}`
        : `/runs/${text(runId)}`;
  const body = {
    id: String(delivery.id),
    type: delivery.eventType,
    notification: delivery.notification,
    createdAt: delivery.createdAt.toISOString(),
    runId: text(runId),
    backfillId: text(backfillId),
    assets: assetKeys,
    partitions: from !== null && to !== null ? { from, to } : null,
    error: failure,
    link: `${base}${path}`,
    details,
  };
  return { ...body, text: summaryOf(body) };
}

function summaryOf(body: Omit<NotificationBody, "text">): string {
  const assets = body.assets.join(", ") || "no asset";
  const range = body.partitions
    ? body.partitions.from === body.partitions.to
      ? ` [${body.partitions.from}]`
      : ` [${body.partitions.from} … ${body.partitions.to}]`
    : "";
  const link = `<${body.link}|open>`;
  switch (body.type) {
    case "run_failed":
      return `Almanac: run of ${assets}${range} failed: ${body.error?.message ?? body.error?.code ?? "unknown error"} ${link}`;
    case "backfill_completed": {
      const runs = body.details.runs as { failed?: number; total?: number } | undefined;
      const failed = runs?.failed ?? 0;
      return `Almanac: backfill of ${assets}${range} ${body.details.status === "completed" ? "completed" : "completed with failures"} (${runs?.total ?? 0} runs, ${failed} failed) ${link}`;
    }
    case "check_failed": {
      const checks = Array.isArray(body.details.checks) ? body.details.checks : [];
      const names = [...new Set(checks.map((check) => (check as { name?: string }).name))].join(", ");
      return `Almanac: checks of ${assets}${range} failed: ${names} ${link}`;
    }
    case "asset_overdue":
      return `Almanac: ${assets}${range} is overdue: not materialized ${String(body.details.maxLag)} after its window ended ${link}`;
  }
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with `ALMANAC_WEBHOOK_SECRET`, as the `X-Almanac-Signature` header carries it. */
export function webhookSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * Wait before attempt `attempt + 1` after attempt `attempt` failed: `baseMs` doubled per
 * attempt (1×, 2×, 4×…), capped at `maxMs`. Pure: no jitter, so a test can predict it; the
 * loop's claims are spread by when events happen anyway.
 */
export function deliveryBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
