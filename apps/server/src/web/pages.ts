import { AlmanacError, isAlmanacError } from "@almanac/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import type nunjucks from "nunjucks";
import type { RunQueue } from "../app-options.js";
import { isSignedIn } from "./session.js";

/** Renders a template inside the layout, with what every page shows (who is signed in, the nav). */
export interface PageRenderer {
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    template: string,
    context: Record<string, unknown>,
    status?: number,
  ): FastifyReply;
}

export function pageRenderer(
  templates: nunjucks.Environment,
  settings: { readonly apiToken?: string; readonly now: () => Date },
): PageRenderer {
  return {
    send(request, reply, template, context, status = 200) {
      const html = templates.render(template, {
        ...context,
        // Store timestamps are wall-clock: "5 min ago" is against the wall clock. `appNow` is
        // the app's clock (injectable in tests), which decides partitions and schedule ticks.
        now: new Date(),
        appNow: settings.now(),
        auth: {
          required: settings.apiToken !== undefined,
          signedIn: settings.apiToken !== undefined && isSignedIn(request, settings.apiToken),
        },
        path: request.url,
      });
      return (
        reply
          .status(status)
          .type("text/html; charset=utf-8")
          .header("cache-control", "no-store")
          // helmet's default is no-referrer, under which Chromium sends `Origin: null` on a form
          // POST; same-origin keeps the Origin check of `session.ts` working and leaks nothing.
          .header("referrer-policy", "same-origin")
          .send(html)
      );
    },
  };
}

/** A form field as one trimmed string; empty means absent. Repeated or oversized fields are a bad request. */
export function formField(body: unknown, name: string, maxLength = 300): string | undefined {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `form field "${name}" must be given once`);
  const trimmed = value.trim();
  if (trimmed.length > maxLength) {
    throw new AlmanacError("ALMANAC_BAD_REQUEST", `form field "${name}" is longer than ${maxLength} characters`);
  }
  return trimmed === "" ? undefined : trimmed;
}

/** A query-string parameter as one trimmed string; empty means absent. */
export function queryParam(query: unknown, name: string, maxLength = 300): string | undefined {
  const value = typeof query === "object" && query !== null ? (query as Record<string, unknown>)[name] : undefined;
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" || trimmed.length > maxLength ? undefined : trimmed;
}

/** The message and status a failed form shows: 4xx with the engine's message for the user's mistakes. */
export function formFailure(error: unknown): { status: number; message: string } {
  if (isAlmanacError(error) && error.httpStatus < 500) return { status: error.httpStatus, message: error.message };
  throw error;
}

/** How long a form waits for Redis; the runs are safe in Postgres either way. */
const enqueueTimeoutMs = 5_000;

/**
 * Hands recorded runs to the workers, as the REST routes do. When Redis fails the runs stay
 * queued in Postgres (the reconciler hands them over later) and the page says so (503).
 */
export async function handOver(
  runQueue: RunQueue,
  runs: readonly { runId: string; attempt: number }[],
  request: FastifyRequest,
): Promise<void> {
  if (runs.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs);
  });
  try {
    await Promise.race([runQueue.enqueueRuns(runs), timeout]);
  } catch (error) {
    request.log.error({ err: error }, "runs recorded but not enqueued");
    throw new AlmanacError(
      "ALMANAC_QUEUE_UNAVAILABLE",
      "the request is recorded but the queue (Redis) did not take its runs: the reconciler hands them over once Redis is back",
      {},
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
