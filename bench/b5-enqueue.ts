/**
 * B5 — enqueue. `POST /api/backfills` of 3,650 daily partitions × 3 assets (one run per
 * partition, as Dagster launches them), timed until every asset partition shows `queued`
 * through `GET /api/assets`; against raw BullMQ `addBulk` of the same number of jobs into an
 * empty queue. The server runs alone (no worker), so nothing is picked up meanwhile.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createTestDatabase } from "@almanac/testing";
import { Queue } from "bullmq";
import { getJson, postJson, startAlmanac } from "./lib/almanac-processes.js";
import { alternate, medianRatio, secondsSince } from "./lib/alternate.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import type { BenchResult } from "./lib/report.js";
import { round } from "./lib/stats.js";

const projectDir = path.join(import.meta.dirname, "projects/trivial");
const select = "m1 m2 m3";
const from = "2016-01-01";
const to = "2025-12-28"; // 3,650 days
const partitions = 3_650;

interface AssetsReply {
  assets: { key: string; counts: { queued: number } }[];
}

export async function runB5(rounds = 3): Promise<BenchResult> {
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b5");
  const rawPrefix = benchQueuePrefix("b5raw");
  const almanac = await startAlmanac({
    databaseUrl: database.url,
    redisUrl,
    queuePrefix,
    projectDir,
    serverOnly: true,
  });
  const raw = new Queue("runs", { connection: { url: redisUrl }, prefix: rawPrefix });
  try {
    const almanacRound = async () => {
      const started = performance.now();
      const { backfillId } = await postJson<{ backfillId: string }>(`${almanac.base}/api/backfills`, {
        select,
        from,
        to,
      });
      const { assets } = await getJson<AssetsReply>(`${almanac.base}/api/assets`);
      const queued = assets.reduce((sum, asset) => sum + asset.counts.queued, 0);
      const seconds = secondsSince(started);
      if (queued !== partitions * 3) throw new Error(`expected ${partitions * 3} queued, saw ${queued}`);
      // Not timed: cancel, so the next round queues every partition again.
      await postJson(`${almanac.base}/api/backfills/${backfillId}/cancel`, {});
      await dropQueue(queuePrefix);
      return seconds;
    };
    const rawRound = async () => {
      const jobs = Array.from({ length: partitions }, () => {
        const runId = randomUUID();
        return { name: "run", data: { runId }, opts: { jobId: `run.${runId}.1` } };
      });
      const started = performance.now();
      await raw.addBulk(jobs);
      const seconds = secondsSince(started);
      await raw.obliterate({ force: true });
      return seconds;
    };
    await almanacRound(); // warm-up: connections, prepared plans, JIT
    await rawRound();
    const result = await alternate(
      [
        { name: "almanac", run: almanacRound },
        { name: "raw addBulk", run: rawRound },
      ],
      rounds,
    );
    return {
      id: "B5",
      title: "Enqueue a backfill of 3,650 partitions × 3 assets",
      metrics: [
        { name: "seconds until all queued", value: round(result.medians.almanac as number, 3), target: "<= 1" },
        { name: "raw addBulk seconds", value: round(result.medians["raw addBulk"] as number, 3) },
        { name: "ratio to raw addBulk", value: round(medianRatio(result, "almanac", "raw addBulk")), target: "<= 2" },
      ],
      raw: result,
    };
  } finally {
    await raw.obliterate({ force: true }).catch(() => undefined);
    await raw.close();
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
  }
}
