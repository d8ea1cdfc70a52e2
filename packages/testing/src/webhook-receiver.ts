import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** One POST the receiver got, as it arrived. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The body's bytes as text: what a signature is checked against. */
  readonly rawBody: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly body: Record<string, unknown> | undefined;
  /** `Date.now()` when it arrived, comparable with the store's timestamps. */
  readonly at: number;
  /** The status the receiver answered with; 0 when it never answered (`answer("never")`). */
  readonly answered: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook`: the URL for almanac.yml `notifications[].url`. */
  readonly url: string;
  /** Every request so far, in arrival order, whatever was answered. */
  readonly received: readonly ReceivedWebhook[];
  /**
   * The status to answer from now on (default 200), or `never`: read the request and hold it
   * open without answering, as a hung endpoint does (closed by `close()`).
   */
  answer(status: number | "never"): void;
  /** Resolves with the requests once `count` of them satisfy `match`; rejects after `timeoutMs`. */
  waitFor(match: (request: ReceivedWebhook) => boolean, count?: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A local HTTP receiver for notification tests (node:http, as a user's endpoint would be):
 * records each POST and answers with the status the test chose, so a test can refuse
 * deliveries (500) and later accept them.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status: number | "never" = 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      received.push({
        headers: request.headers,
        rawBody,
        body,
        at: Date.now(),
        answered: status === "never" ? 0 : status,
      });
      if (status === "never") return;
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "receiver says no");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver has no port");
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    received,
    answer(next) {
      status = next;
    },
    async waitFor(match, count = 1, timeoutMs = 20_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(match);
        if (matching.length >= count) return matching;
        if (performance.now() > deadline) {
          throw new Error(`expected ${count} matching webhook(s) within ${timeoutMs} ms, got ${matching.length}`);
        }
        await sleep(20);
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}
