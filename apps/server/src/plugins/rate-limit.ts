import { AlmanacError } from "@almanac/errors";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import { mutatingMethods } from "./auth.js";

/** `ALMANAC_RATE_LIMIT_PER_MINUTE`'s default: mutating requests per client IP per minute. */
export const defaultRateLimitPerMinute = 120;

/**
 * Limits mutating requests (POST/PUT/PATCH/DELETE) per client IP, all routes sharing one
 * budget: each may enqueue work or write the store, reads are cheap and stay unlimited.
 * Runs before the bearer check, so it also slows down token guessing. Over the limit the
 * reply is 429 `ALMANAC_RATE_LIMITED` in the one error shape, with `retry-after`.
 */
export async function installRateLimit(app: FastifyInstance, perMinute = defaultRateLimitPerMinute): Promise<void> {
  await app.register(rateLimit, { global: false });
  const limiter = app.createRateLimit({ max: perMinute, timeWindow: 60_000 });
  app.addHook("onRequest", async (request, reply) => {
    if (!mutatingMethods.has(request.method)) return;
    const limit = await limiter(request);
    if (limit.isAllowed) return;
    reply.header("x-ratelimit-limit", limit.max);
    reply.header("x-ratelimit-remaining", limit.remaining);
    if (!limit.isExceeded) return;
    reply.header("retry-after", limit.ttlInSeconds);
    throw new AlmanacError(
      "ALMANAC_RATE_LIMITED",
      `more than ${limit.max} changes per minute from this address; retry in ${limit.ttlInSeconds} s`,
    );
  });
}
