import { setTimeout as sleep } from "node:timers/promises";
import { AlmanacError, type ErrorCode, errorCodes } from "@almanac/errors";
import type { BackfillView } from "./backfill-display.js";

/** A backfill request as `POST /api/backfills` takes it. */
export interface RemoteBackfillRequest {
  readonly select: string;
  readonly from: string;
  readonly to: string;
  readonly policy?: string;
  readonly maxPartitionsPerRun?: number;
  readonly only?: string;
}

/** The REST calls `almanac backfill --remote` makes, against a server at `baseUrl`. */
export interface BackfillClient {
  request(body: RemoteBackfillRequest): Promise<{ backfillId: string; partitions: number; runs: number }>;
  get(backfillId: string): Promise<BackfillView>;
}

/**
 * A client for a running Almanac server. POSTs carry `Authorization: Bearer <token>` when a
 * token is given (`ALMANAC_API_TOKEN`). Error replies become AlmanacErrors with the server's
 * code and message, so the CLI reports them like local ones (and exits 2 for bad input).
 */
export function backfillClient(baseUrl: string, token: string | undefined): BackfillClient {
  const base = baseUrl.replace(/\/+$/, "");
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token && method !== "GET" ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AlmanacError(
        "ALMANAC_STORE_UNAVAILABLE",
        `cannot reach the Almanac server at ${base}: ${message}`,
        {},
        {
          cause: error,
        },
      );
    }
    const payload = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) throw serverError(res.status, payload.error);
    return payload as T;
  };
  return {
    request: (body) => call("POST", "/api/backfills", body),
    get: (backfillId) => call("GET", `/api/backfills/${encodeURIComponent(backfillId)}`),
  };
}

function serverError(status: number, error: { code?: string; message?: string } | undefined): Error {
  const message = error?.message ?? `the server answered ${status}`;
  const code = error?.code;
  if (code && code in errorCodes) return new AlmanacError(code as ErrorCode, message);
  return new AlmanacError(status < 500 ? "ALMANAC_BAD_REQUEST" : "ALMANAC_INTERNAL", `${code ?? status}: ${message}`);
}

/** Statuses a backfill never leaves. */
export const finalBackfillStatuses = new Set(["completed", "completed_with_failures", "canceled"]);

/**
 * Polls a backfill until it is final, calling `onProgress` with each answer. Polls every
 * `intervalMs` (default 1 000). Stops early, returning undefined, when `signal` aborts.
 */
export async function watchBackfill(
  client: BackfillClient,
  backfillId: string,
  onProgress: (view: BackfillView) => void,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<BackfillView | undefined> {
  for (;;) {
    const view = await client.get(backfillId);
    onProgress(view);
    if (finalBackfillStatuses.has(view.status)) return view;
    try {
      await sleep(options.intervalMs ?? 1_000, undefined, { signal: options.signal });
    } catch {
      return undefined;
    }
  }
}
