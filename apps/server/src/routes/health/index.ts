import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteDeps } from "../../app-options.js";
import { healthSchema } from "../../schemas/health.js";

/** A health check must answer even when a dependency hangs (a half-open socket, say). */
const checkTimeoutMs = 2_000;

/** `GET /api/health`: 200 when the store answers `select 1` and the queue's Redis answers (PING; on a cluster, a read of the queue's own key), else 503. */
export const healthRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { ctx, runQueue }) => {
  app.get("", { schema: healthSchema }, async (request, reply) => {
    const [postgres, redis] = await Promise.all([
      answers(async () => {
        await ctx.store.query("select 1");
        return true;
      }),
      answers(() => runQueue.ping()),
    ]);
    const ok = postgres && redis;
    if (!ok) request.log.warn({ postgres, redis }, "health check failed");
    return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", postgres, redis });
  });
};

/** True when `check` resolves true within the timeout; a rejection or a hang counts as down. */
async function answers(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), checkTimeoutMs);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
