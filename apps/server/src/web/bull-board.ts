import type { RunQueue } from "@almanac/queue";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";

/** Where operators find the queues. */
export const bullBoardPath = "/admin/queues";

/**
 * Bull Board over the run queue, for operators: jobs per state, retries, payloads. Mounted
 * inside the web plugin, so the session check guards it like every page (see `index.ts`).
 */
export async function mountBullBoard(app: FastifyInstance, queues: readonly RunQueue["queue"][]): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(bullBoardPath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: "Almanac queues" } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: bullBoardPath });
}
