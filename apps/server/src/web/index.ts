import { isAlmanacError } from "@almanac/errors";
import type { RunQueue } from "@almanac/queue";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { mutatingMethods } from "../plugins/auth.js";
import { bullBoardPath, mountBullBoard } from "./bull-board.js";
import { pageRenderer } from "./pages.js";
import { createTemplates } from "./render.js";
import { assetPages } from "./routes/asset-pages.js";
import { backfillPages } from "./routes/backfill-pages.js";
import { loginPages } from "./routes/login-pages.js";
import { runPages } from "./routes/run-pages.js";
import { schedulePages } from "./routes/schedule-pages.js";
import { cookieSecret, isSameOrigin, isSignedIn } from "./session.js";
import { staticFiles } from "./static-files.js";
import type { WebOptions } from "./web-options.js";

export type { WebOptions } from "./web-options.js";

/** Paths anyone may fetch, token or not: the login form and the stylesheet it uses. */
function isAlwaysOpen(url: string): boolean {
  return url === "/login" || url.startsWith("/login?") || url.startsWith("/static/");
}

/**
 * The web pages under `/` (server-rendered nunjucks, a little plain JavaScript): assets,
 * partitions, runs, backfills, schedules, and Bull Board at `/admin/queues`. Registered as an
 * encapsulated plugin, so form parsing, cookies and the HTML error pages stay out of `/api`.
 */
export async function webPages(app: FastifyInstance, options: WebOptions): Promise<void> {
  // Every route registered from here on (Bull Board's included) is a web route: the bearer
  // check of `/api` leaves them to the session check below.
  app.addHook("onRoute", (route) => {
    options.routes.add(route.url);
    // Pages are not part of the REST API's OpenAPI document.
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(cookie, { secret: cookieSecret(options.apiToken) });
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const templates = createTemplates();
  const pages = pageRenderer(templates, { apiToken: options.apiToken, now: options.now });

  app.addHook("onRequest", async (request, reply) => {
    const mutating = mutatingMethods.has(request.method);
    if (mutating && !isSameOrigin(request)) {
      return pages.send(
        request,
        reply,
        "error.njk",
        { title: "Refused", message: "This form came from another site." },
        403,
      );
    }
    if (!options.apiToken || isAlwaysOpen(request.url) || isSignedIn(request, options.apiToken)) return;
    const admin = request.url === bullBoardPath || request.url.startsWith(`${bullBoardPath}/`);
    if (mutating) {
      if (admin) return reply.status(401).send({ error: { code: "ALMANAC_UNAUTHORIZED", message: "sign in first" } });
      return pages.send(
        request,
        reply,
        "login.njk",
        { nav: "login", next: "/", error: "Sign in with the API token to make changes." },
        401,
      );
    }
    if (!options.publicRead || admin) {
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isAlmanacError(error) && error.httpStatus < 500) {
      request.log.info({ code: error.code }, error.message);
      return pages.send(
        request,
        reply,
        "error.njk",
        { title: "Not possible", message: error.message },
        error.httpStatus,
      );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return pages.send(
        request,
        reply,
        "error.njk",
        { title: "Bad request", message: String((error as Error).message) },
        status,
      );
    }
    request.log.error({ err: error }, "web page failed");
    return pages.send(
      request,
      reply,
      "error.njk",
      { title: "Something broke", message: "The server logged the error." },
      500,
    );
  });

  staticFiles(app);
  assetPages(app, options, pages);
  runPages(app, options, pages);
  backfillPages(app, options, pages);
  schedulePages(app, options, pages);
  loginPages(app, options, pages);

  // The server needs only enqueue/ping/close of the run queue; Bull Board needs the BullMQ queue
  // itself, which the CLI's and the tests' run queues carry.
  const queue = (options.runQueue as Partial<Pick<RunQueue, "queue">>).queue;
  if (queue) await mountBullBoard(app, [queue]);
}
