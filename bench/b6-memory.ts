/**
 * B6 — memory. The worker's resident memory idle and while 1, 16 and 64 partitions are in
 * flight (runs whose model sleeps two seconds in Postgres), and the connections it holds
 * meanwhile: they stay within its pool however many runs are active. The baseline is the same
 * worker idle, read just before each load.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase } from "@almanac/testing";
import pg from "pg";
import { getJson, postJson, startAlmanac, waitForBackfill } from "./lib/almanac-processes.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import type { BenchMetric, BenchResult } from "./lib/report.js";
import { median, round } from "./lib/stats.js";

const projectDir = path.join(import.meta.dirname, "projects/sleepy");
const loads = [1, 16, 64];
/** The pool `almanac worker` opens (apps/cli/src/services.ts). */
const poolSize = 10;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kib / 1024;
}

export async function runB6(rounds = 3): Promise<BenchResult> {
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b6");
  const almanac = await startAlmanac({
    databaseUrl: database.url,
    redisUrl,
    queuePrefix,
    projectDir,
    workerConcurrency: 64,
  });
  const observer = new pg.Client({ connectionString: database.url });
  await observer.connect();
  const pid = almanac.worker.pid as number;
  let day = new Date("2020-01-01T00:00:00Z");
  const nextDays = (n: number) => {
    const from = day.toISOString().slice(0, 10);
    day = new Date(day.getTime() + n * 86_400_000);
    return { from, to: new Date(day.getTime() - 86_400_000).toISOString().slice(0, 10) };
  };
  try {
    // Warm-up: the table exists, code paths are compiled.
    const warm = await postJson<{ backfillId: string }>(`${almanac.base}/api/backfills`, {
      select: "slow_day",
      ...nextDays(2),
    });
    await waitForBackfill(almanac.base, warm.backfillId, 200);
    const idle: number[] = [];
    // Peak minus the idle reading just before the same load: garbage collection moves the
    // baseline by more than 64 runs add, so deltas are compared round by round.
    const growth: Record<number, number[]> = Object.fromEntries(loads.map((n) => [n, []]));
    const peak: Record<number, number[]> = Object.fromEntries(loads.map((n) => [n, []]));
    const connections: Record<number, number[]> = Object.fromEntries(loads.map((n) => [n, []]));
    for (let r = 1; r <= rounds; r++) {
      for (const n of loads) {
        await sleep(500);
        const idleMiB = await rssMiB(pid);
        idle.push(idleMiB);
        const { backfillId } = await postJson<{ backfillId: string }>(`${almanac.base}/api/backfills`, {
          select: "slow_day",
          ...nextDays(n),
        });
        let maxRss = 0;
        let maxConnections = 0;
        for (;;) {
          maxRss = Math.max(maxRss, await rssMiB(pid));
          const { rows } = await observer.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'almanac'",
          );
          maxConnections = Math.max(maxConnections, rows[0]?.n ?? 0);
          const progress = await getJson<{ status: string }>(`${almanac.base}/api/backfills/${backfillId}`);
          if (progress.status !== "requested" && progress.status !== "running") break;
          await sleep(100);
        }
        peak[n]?.push(maxRss);
        growth[n]?.push(maxRss - idleMiB);
        connections[n]?.push(maxConnections);
        console.log(`    round ${r}, ${n} in flight: peak RSS ${round(maxRss, 1)} MiB, ${maxConnections} connections`);
      }
    }
    const metrics: BenchMetric[] = [{ name: "worker RSS idle MiB", value: round(median(idle), 1) }];
    for (const n of loads) {
      const peakMiB = median(peak[n] ?? []);
      metrics.push({ name: `worker RSS with ${n} in flight MiB`, value: round(peakMiB, 1) });
      metrics.push({
        name: `max connections with ${n} in flight`,
        value: Math.max(...(connections[n] ?? [])),
        target: `<= ${poolSize * 2}`,
      });
    }
    const perPartition = median(growth[64] ?? []) / 64;
    metrics.push({
      name: "MB per in-flight partition (64)",
      value: round(perPartition * 1.048576, 3),
      target: "<= 0.5",
    });
    return {
      id: "B6",
      title: "Worker memory with partitions in flight",
      metrics,
      raw: { idle, peak, growth, connections },
    };
  } finally {
    await observer.end();
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
  }
}
