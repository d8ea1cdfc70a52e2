import { createHash, timingSafeEqual } from "node:crypto";
import { AlmanacError } from "@almanac/errors";
import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The operator token the request came with (`api` for ALMANAC_API_TOKEN); unset on an open API. */
    tokenName?: string;
  }
}

/** Methods that change something; reads stay open so dashboards and health checks need no token. */
export const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Tokens and their scopes (DESIGN §5). */
export interface BearerTokens {
  /** `ALMANAC_API_TOKEN`: the operator token, needed for every mutating request; it may read too. */
  readonly apiToken?: string;
  /**
   * `ALMANAC_READ_TOKENS`: read-only tokens. When any is set, reads under `/api` (but
   * `/api/health`, for load balancers) need a read token or the operator token. Default: none,
   * reads open.
   */
  readonly readTokens?: readonly string[];
  /**
   * `ALMANAC_API_TOKENS`: more operator tokens, by name (a loader's, a CI job's), beside
   * `apiToken` (named `api`). The name of the token a request came with is `request.tokenName`,
   * so what it records says who (source events). Default: none.
   */
  readonly namedTokens?: ReadonlyMap<string, string>;
  /**
   * Routes that check a session of their own (the web pages: a login cookie, or this same
   * bearer token) and are skipped here. Default: none.
   */
  readonly sessionRoutes?: ReadonlySet<string>;
}

/**
 * Requires `Authorization: Bearer <token>` on every mutating request when `ALMANAC_API_TOKEN`
 * is set, and on reads of `/api` when read tokens are. Installed on the root instance so it
 * guards every route, those added later included. Without tokens the API is open, as for local
 * development.
 */
export function installBearerAuth(
  app: FastifyInstance,
  { apiToken, readTokens = [], namedTokens = new Map(), sessionRoutes }: BearerTokens,
): void {
  // Compare SHA-256 digests: equal lengths for timingSafeEqual, and no early exit that
  // would leak the token's length or a matching prefix through response time.
  const operators = [
    ...(apiToken ? [{ name: "api", digest: digest(apiToken) }] : []),
    ...[...namedTokens].map(([name, token]) => ({ name, digest: digest(token) })),
  ];
  const operator = operators.length > 0;
  const readers = readTokens.filter((token) => token !== "").map(digest);
  app.decorateRequest("tokenName", undefined);
  if (!operator && readers.length === 0) return;
  app.addHook("onRequest", async (request) => {
    const route = request.routeOptions.url;
    if (route !== undefined && sessionRoutes?.has(route)) return;
    const mutating = mutatingMethods.has(request.method);
    if (mutating ? !operator : readers.length === 0 || !needsReadToken(request.routeOptions.url)) return;
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      throw new AlmanacError(
        "ALMANAC_UNAUTHORIZED",
        `this request needs an Authorization: Bearer <token> header (${mutating ? "ALMANAC_API_TOKEN" : "a read token or ALMANAC_API_TOKEN"})`,
      );
    }
    const given = digest(presented);
    // Every candidate is compared, so the time taken does not tell which one matched.
    const matched = operators.reduce<string | undefined>(
      (found, candidate) => (timingSafeEqual(given, candidate.digest) ? candidate.name : found),
      undefined,
    );
    const isReader = readers.reduce((found, reader) => timingSafeEqual(given, reader) || found, false);
    if (matched !== undefined) {
      request.tokenName = matched;
      return;
    }
    if (!mutating && isReader) return;
    throw new AlmanacError(
      "ALMANAC_UNAUTHORIZED",
      isReader ? "this token may only read; changes need ALMANAC_API_TOKEN" : "the bearer token is wrong",
    );
  });
}

/**
 * Reads of the API but its health check, and `/metrics` (it names assets and schedules); `/docs` stays open (the schema is no secret). Decided
 * on the matched route, not the raw URL, so no spelling of a path slips past.
 */
function needsReadToken(route: string | undefined): boolean {
  return (route?.startsWith("/api/") === true && route !== "/api/health") || route === "/metrics";
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
