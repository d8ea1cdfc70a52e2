import { fireScheduleTick, scheduleSummaries, scheduleSummary, switchSchedule } from "@almanac/engine";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteDeps } from "../../app-options.js";
import { listSchedulesSchema, switchScheduleSchema, tickScheduleSchema } from "../../schemas/schedules.js";
import { scheduleJson, tickJson } from "./schedule-json.js";
import { tickInstant } from "./tick-instant.js";

/** `/api/schedules`: the schedules of almanac.yml, a manual tick, and the on/off switch. */
export const scheduleRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { ctx, runQueue, now }) => {
  app.get("", { schema: listSchedulesSchema }, async (request) => {
    const summaries = await scheduleSummaries(ctx, { now: now(), ticks: request.query.ticks });
    return { schedules: summaries.map(scheduleJson) };
  });

  app.post(
    "/:name/tick",
    {
      schema: tickScheduleSchema,
      // `curl -X POST …/tick` sends no body: "fire now" needs none.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const tickTime = tickInstant(request.body.at, now());
      const { tick, enqueueError } = await fireScheduleTick(ctx, request.params.name, {
        tickTime,
        enqueue: (run) => runQueue.enqueueRuns([run]),
      });
      // The run is recorded; the reconciler hands it over once Redis answers again.
      if (enqueueError)
        request.log.warn({ err: enqueueError, runId: tick.runId }, "tick's run recorded but not enqueued");
      return reply.status(202).send({ tick: tickJson(tick) });
    },
  );

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(
      `/:name/${action}`,
      {
        schema: {
          ...switchScheduleSchema,
          summary: `Turn a schedule ${enabled ? "on" : "off"} (kept across restarts)`,
        },
      },
      async (request) => {
        await switchSchedule(ctx, request.params.name, enabled);
        return scheduleJson(await scheduleSummary(ctx, request.params.name, { now: now() }));
      },
    );
  }
};
