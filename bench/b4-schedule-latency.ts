/**
 * B4 — schedule latency: from a tick's instant to the first step of its run starting in the
 * worker, 20 ticks a round, a second apart; against a bare BullMQ job scheduler ticking every
 * second whose worker notes when it starts each job. Rounds of 20 ticks alternate.
 */
import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase } from "@almanac/testing";
import { Queue, Worker } from "bullmq";
import pg from "pg";
import { startAlmanac } from "./lib/almanac-processes.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import type { BenchResult } from "./lib/report.js";
import { median, quantile, round } from "./lib/stats.js";

const templateDir = path.join(import.meta.dirname, "projects/scheduled");
const ticksPerRound = 20;
const roundMs = 45_000;

/** A six-field cron that fires once a year, at this second (UTC). */
function cronAt(instant: Date): string {
  const d = instant;
  return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

export async function runB4(rounds = 3): Promise<BenchResult> {
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b4");
  const barePrefix = benchQueuePrefix("b4bare");
  // Almanac's ticks of round r are at t0 + r·45 s + k s (k < 20); the bare scheduler's follow
  // 22 s later, so the two never run at once.
  const t0 = Math.ceil(Date.now() / 1000) * 1000 + 20_000;
  const almanacTicks = (r: number) =>
    Array.from({ length: ticksPerRound }, (_, k) => new Date(t0 + r * roundMs + k * 1000));
  const projectDir = await copyProjectDir();
  const schedules = Array.from({ length: rounds }, (_, r) => almanacTicks(r))
    .flat()
    .map(
      (instant, i) =>
        `  - { name: tick_${i}, select: heartbeat, partitions: hourly, cron: "${cronAt(instant)}", timezone: UTC }`,
    );
  await appendFile(path.join(projectDir, "almanac.yml"), `schedules:\n${schedules.join("\n")}\n`);
  const almanac = await startAlmanac({ databaseUrl: database.url, redisUrl, queuePrefix, projectDir });
  const store = new pg.Client({ connectionString: database.url });
  await store.connect();
  try {
    const almanacMs: number[] = [];
    const bareMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const first = almanacTicks(r)[0] as Date;
      await sleep(first.getTime() + ticksPerRound * 1000 + 1_000 - Date.now());
      const { rows } = await store.query<{ ms: number }>(
        `select extract(epoch from (min(s.started_at) - t.tick_time)) * 1000 as ms
           from almanac.schedule_ticks t join almanac.run_steps s on s.run_id = t.run_id
          where t.tick_time >= $1 and t.tick_time < $2
          group by t.id, t.tick_time order by t.tick_time`,
        [first, new Date(first.getTime() + ticksPerRound * 1000)],
      );
      const a = rows.map((row) => Number(row.ms));
      const b = await bareRound(barePrefix, store);
      console.log(
        `    round ${r + 1}: almanac ${a.length} ticks, p50 ${round(median(a))} ms; bare ${b.length} ticks, p50 ${round(median(b))} ms`,
      );
      almanacMs.push(...a);
      bareMs.push(...b);
    }
    return {
      id: "B4",
      title: `Schedule latency, ${almanacMs.length} ticks`,
      metrics: [
        { name: "tick → first step p50 ms", value: round(median(almanacMs)), target: "<= 100" },
        { name: "tick → first step p99 ms", value: round(quantile(almanacMs, 0.99)), target: "<= 250" },
        { name: "bare BullMQ scheduler p50 ms", value: round(median(bareMs)) },
        { name: "bare BullMQ scheduler p99 ms", value: round(quantile(bareMs, 0.99)) },
      ],
      raw: { almanacMs, bareMs },
    };
  } finally {
    await store.end();
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
    await rm(projectDir, { recursive: true, force: true });
  }
}

/** 20 ticks of a bare BullMQ job scheduler (`* * * * * *`) whose worker runs `select 1` per job. */
async function bareRound(prefix: string, store: pg.Client): Promise<number[]> {
  const latencies: number[] = [];
  const queue = new Queue("ticks", { connection: { url: redisUrl }, prefix });
  const worker = new Worker(
    "ticks",
    async (job) => {
      // A job scheduler's job carries its scheduled instant as `prevMillis`.
      latencies.push(Date.now() - Number(job.opts.prevMillis));
      await store.query("select 1");
    },
    { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix },
  );
  await queue.upsertJobScheduler("bare", { pattern: "* * * * * *" }, { name: "tick" });
  while (latencies.length < ticksPerRound) await sleep(100);
  await queue.removeJobScheduler("bare");
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return latencies.slice(0, ticksPerRound);
}

async function copyProjectDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-bench-b4-"));
  await cp(templateDir, dir, { recursive: true });
  return dir;
}
