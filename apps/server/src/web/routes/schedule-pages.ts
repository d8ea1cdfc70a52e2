import { fireScheduleTick, scheduleSummaries, switchSchedule } from "@almanac/engine";
import type { FastifyInstance } from "fastify";
import type { PageRenderer } from "../pages.js";
import type { WebOptions } from "../web-options.js";

/** `/schedules`: next tick, recent ticks with outcomes, on/off, and "tick now". */
export function schedulePages(app: FastifyInstance, options: WebOptions, pages: PageRenderer): void {
  const { ctx, now, runQueue } = options;

  app.get("/schedules", async (request, reply) => {
    const schedules = await scheduleSummaries(ctx, { now: now(), ticks: 10 });
    return pages.send(request, reply, "schedules.njk", { nav: "schedules", schedules });
  });

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(`/schedules/:name/${action}`, async (request, reply) => {
      const { name } = request.params as { name: string };
      await switchSchedule(ctx, name, enabled);
      return reply.redirect("/schedules", 303);
    });
  }

  app.post("/schedules/:name/tick", async (request, reply) => {
    const { name } = request.params as { name: string };
    const { tick, enqueueError } = await fireScheduleTick(ctx, name, {
      tickTime: now(),
      enqueue: (run) => runQueue.enqueueRuns([run]),
    });
    // The run is recorded; the reconciler hands it over once Redis answers again.
    if (enqueueError)
      request.log.warn({ err: enqueueError, runId: tick.runId }, "tick's run recorded but not enqueued");
    return reply.redirect(tick.runId ? `/runs/${tick.runId}` : "/schedules", 303);
  });
}
