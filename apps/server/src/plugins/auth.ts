import { createHash, timingSafeEqual } from "node:crypto";
import { AlmanacError } from "@almanac/errors";
import type { FastifyInstance } from "fastify";

/** Methods that change something; reads stay open so dashboards and health checks need no token. */
const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Requires `Authorization: Bearer <token>` on every mutating request when `ALMANAC_API_TOKEN`
 * is set (DESIGN §5). Installed on the root instance so it guards every route, those added
 * later included. Without a token the API is open, as for local development.
 */
export function installBearerAuth(app: FastifyInstance, apiToken: string | undefined): void {
  if (!apiToken) return;
  // Compare SHA-256 digests: equal lengths for timingSafeEqual, and no early exit that
  // would leak the token's length or a matching prefix through response time.
  const expected = digest(apiToken);
  app.addHook("onRequest", async (request) => {
    if (!mutatingMethods.has(request.method)) return;
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new AlmanacError(
        "ALMANAC_UNAUTHORIZED",
        presented === undefined
          ? "this request needs an Authorization: Bearer <token> header (ALMANAC_API_TOKEN)"
          : "the bearer token is wrong",
      );
    }
  });
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
