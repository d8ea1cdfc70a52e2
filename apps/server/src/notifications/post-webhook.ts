/** How one POST went: the receiver's status (null when none answered) and, unless 2xx, why not. */
export interface WebhookAnswer {
  readonly ok: boolean;
  readonly httpStatus: number | null;
  readonly error?: string;
}

/** Kept of a receiver's error body, for `lastError`: enough to read the reason, not a whole HTML page. */
const errorBodyChars = 300;

/**
 * POSTs `rawBody` (JSON) to `url` with `headers`, giving up after `timeoutMs`. Never throws: a
 * refused connection, a timeout or a non-2xx answer come back as `ok: false` with a one-line
 * reason. Node's fetch (undici) does the HTTP; redirects are not followed, since a webhook
 * that moves should be reconfigured rather than have its signed body replayed elsewhere.
 */
export async function postWebhook(
  url: string,
  rawBody: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<WebhookAnswer> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "almanac-webhooks", ...headers },
      body: rawBody,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => "");
    if (response.ok) return { ok: true, httpStatus: response.status };
    const reason = text.replace(/\s+/g, " ").trim().slice(0, errorBodyChars);
    return { ok: false, httpStatus: response.status, error: `HTTP ${response.status}${reason ? `: ${reason}` : ""}` };
  } catch (error) {
    return { ok: false, httpStatus: null, error: reasonOf(error, timeoutMs) };
  }
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  // undici reports "fetch failed" and puts the socket's error (ECONNREFUSED…) in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message}: ${cause.code}` : cause?.message ? `${message}: ${cause.message}` : message;
}
