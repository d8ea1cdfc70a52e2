import type { FastifyInstance } from "fastify";

/**
 * JSON bodies, with one change to fastify's parser: an empty body sent with
 * `content-type: application/json` is `{}`. Many HTTP clients (and `curl -H 'content-type:
 * application/json' -X POST`) send that header on every POST, so the action endpoints (cancel,
 * retry, tick, enable, disable) would otherwise answer 400 "Body cannot be empty" to a request
 * that needs no body. Done once here rather than per route; a body that is present still goes
 * through fastify's own parser, with its prototype-poisoning checks and error codes.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    // `parseAs: "string"` hands a string; the type also allows a Buffer.
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text === "") {
      done(null, {});
      return;
    }
    parseJson(request, text, done);
  });
}
