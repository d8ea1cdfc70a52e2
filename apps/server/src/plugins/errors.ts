import { AlmanacError, isAlmanacError, isRetryableDatabaseError } from "@almanac/errors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * The one place errors become replies: every failure leaves as `{error: {code, message}}`
 * (DESIGN §5) with the status of its code in `@almanac/errors`. Installed on the root
 * instance (not as an encapsulated plugin) so it covers every route and the 404 handler.
 */
export function installErrorReplies(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => sendError(reply, toReplyError(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new AlmanacError("ALMANAC_NOT_FOUND", `no route ${request.method} ${truncate(request.url, 200)}; see /docs`),
    ),
  );
}

/**
 * Fastify's `frameworkErrors`: URLs rejected before routing (bad percent-encoding, a path
 * parameter over `maxParamLength`) would otherwise get fastify's own shape, echoing the whole
 * URL. They get the one error shape instead, as 400 `ALMANAC_BAD_REQUEST`.
 */
export function frameworkErrorReply(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
  request.log.info({ code: error.code }, "bad url");
  const message =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "a path parameter is too long (over 300 characters)"
      : `the url is not valid: ${truncate(request.url, 200)}`;
  return sendError(reply, new AlmanacError("ALMANAC_BAD_REQUEST", message));
}

function sendError(reply: FastifyReply, error: AlmanacError): FastifyReply {
  if (error.code === "ALMANAC_UNAUTHORIZED") reply.header("www-authenticate", 'Bearer realm="almanac"');
  return reply.status(error.httpStatus).send({ error: { code: error.code, message: error.message } });
}

/** Fastify's own client errors (bad JSON, wrong content type…) carry an `FST_` code and a 4xx status. */
interface FastifyClientError {
  readonly code: string;
  readonly statusCode: number;
  readonly message: string;
  readonly validation?: unknown;
}

function isFastifyClientError(error: unknown): error is FastifyClientError {
  const e = error as Partial<FastifyClientError> | null;
  return (
    error instanceof Error &&
    typeof e?.code === "string" &&
    e.code.startsWith("FST_") &&
    typeof e.statusCode === "number" &&
    e.statusCode >= 400 &&
    e.statusCode < 500
  );
}

/**
 * Maps anything thrown to the AlmanacError the client sees, logging as it goes: client
 * errors at info (they are the caller's), server errors at error with the stack — which is
 * logged, never sent, since it can hold SQL, paths and data.
 */
function toReplyError(error: unknown, request: FastifyRequest): AlmanacError {
  if (isAlmanacError(error)) {
    if (error.httpStatus >= 500) request.log.error({ err: error }, `${error.code}: ${error.message}`);
    else request.log.info({ code: error.code }, error.message);
    return error;
  }
  if (isFastifyClientError(error)) {
    request.log.info({ code: error.code }, error.message);
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return new AlmanacError("ALMANAC_BODY_TOO_LARGE", `${error.message}; the limit is 64 KiB`);
    }
    // Validation messages name the part and field: "body/select must be string".
    return new AlmanacError("ALMANAC_BAD_REQUEST", error.message);
  }
  if (isRetryableDatabaseError(error)) {
    request.log.warn({ err: error }, "store unavailable");
    return new AlmanacError("ALMANAC_STORE_UNAVAILABLE", "Postgres is unavailable right now; try again shortly");
  }
  request.log.error({ err: error }, "unhandled error");
  return new AlmanacError("ALMANAC_INTERNAL", `internal error (request ${request.id}); the server log has the details`);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
