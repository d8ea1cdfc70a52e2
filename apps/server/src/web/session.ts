import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Name of the session cookie `/login` sets. */
export const sessionCookie = "almanac_session";

/** A session lasts a working day; log in again after. */
const sessionMs = 12 * 3_600_000;

/**
 * The cookie-signing secret: an HMAC of the API token, so sessions survive restarts, several
 * server processes accept each other's cookies, and changing the token logs everyone out.
 * Without a token nothing is signed for auth, but the cookie plugin still needs a secret.
 */
export function cookieSecret(apiToken: string | undefined): string {
  return createHmac("sha256", apiToken ?? "almanac-open")
    .update("almanac web session v1")
    .digest("hex");
}

/** Whether `presented` is the API token, compared as SHA-256 digests in constant time (as `plugins/auth.ts`). */
export function isApiToken(presented: string, apiToken: string): boolean {
  return timingSafeEqual(digest(presented), digest(apiToken));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Sets the signed session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function startSession(reply: FastifyReply, now: number = Date.now()): void {
  reply.setCookie(sessionCookie, `v1.${now + sessionMs}`, {
    signed: true,
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    maxAge: sessionMs / 1_000,
  });
}

export function endSession(reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, { path: "/" });
}

/** A valid, unexpired session cookie, or the API token as a bearer header (scripts, curl). */
export function isSignedIn(request: FastifyRequest, apiToken: string | undefined): boolean {
  if (!apiToken) return true;
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? "")?.[1];
  if (bearer !== undefined) return isApiToken(bearer, apiToken);
  const raw = request.cookies[sessionCookie];
  if (raw === undefined) return false;
  const { valid, value } = request.unsignCookie(raw);
  const expires = valid && value ? Number(/^v1\.(\d+)$/.exec(value)?.[1]) : Number.NaN;
  return Number.isFinite(expires) && expires > Date.now();
}

/**
 * Cross-site request forgery: a form on another site posting here. Two guards, no CSRF token:
 * the session cookie is SameSite=Strict, so a cross-site POST arrives without a session and is
 * refused when a token is set; and every form POST must come from this origin (`Origin`, else
 * `Referer`, must name this host), which also covers the no-token setup where there is no
 * session to withhold. Browsers always send `Origin` on cross-origin POSTs; a request with
 * neither header is not from a browser form (curl, scripts), and those cannot ride a victim's
 * cookies anyway.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const source = request.headers.origin ?? request.headers.referer;
  if (source === undefined) return true;
  if (source === "null") return false;
  try {
    return new URL(source).host === request.headers.host;
  } catch {
    return false;
  }
}

/** A local path to go back to after login; anything else (another host, `//evil`) becomes `/`. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.includes("\\")
    ? next
    : "/";
}
