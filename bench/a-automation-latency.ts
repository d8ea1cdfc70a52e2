/**
 * A — automation latency: from an upstream commit to the run that follows it starting in the
 * worker (`automation: eager`, with the server's poll off, so only notifications count). A loader
 * reports one day of hours at a time to the fixture's eager chain: the report (a commit) starts
 * the hours' run, the hours' commit starts the day's run, the day's commit the total's. Baseline,
 * alternating round by round: the least the same machinery can do — an insert whose trigger
 * notifies a listener that enqueues a BullMQ job, timed until a BullMQ worker starts it.
 */
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, repoRoot } from "@almanac/testing";
import { Queue, Worker } from "bullmq";
import pg from "pg";
import { startAlmanac } from "./lib/almanac-processes.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import type { BenchResult } from "./lib/report.js";
import { median, quantile, round } from "./lib/stats.js";

const projectDir = path.join(repoRoot, "packages/engine/test/fixtures/automation");
const reportsPerRound = 10;

export async function runA(rounds = 3): Promise<BenchResult> {
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("a");
  const barePrefix = benchQueuePrefix("abare");
  const store = new pg.Client({ connectionString: database.url });
  await store.connect();
  await store.query(`create schema raw;
    create table raw.events as
    select ts as occurred_at, 1::numeric as amount
      from generate_series('2024-03-01T00:00:00Z'::timestamptz, '2024-03-31T23:59:00Z', interval '7 minutes') as ts`);
  const almanac = await startAlmanac({
    databaseUrl: database.url,
    redisUrl,
    queuePrefix,
    projectDir,
    env: { ALMANAC_AUTOMATION_POLL_MS: "600000" },
  });
  try {
    const sourceMs: number[] = [];
    const modelMs: number[] = [];
    const bareMs: number[] = [];
    let day = 1;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < reportsPerRound; i++, day++) {
        const measured = await followOneDay(almanac.base, store, day);
        sourceMs.push(measured.source);
        modelMs.push(...measured.models);
      }
      const bare = await bareRound(barePrefix, database.url);
      bareMs.push(...bare);
      console.log(
        `    round ${r + 1}: source → run p50 ${round(median(sourceMs))} ms, model → run p50 ${round(median(modelMs))} ms; bare p50 ${round(median(bare))} ms`,
      );
    }
    const all = [...sourceMs, ...modelMs];
    return {
      id: "A",
      title: `Automation latency, ${all.length} follow-ups`,
      metrics: [
        { name: "upstream commit → run started p50 ms", value: round(median(all)), target: "<= 200" },
        { name: "upstream commit → run started p99 ms", value: round(quantile(all, 0.99)) },
        { name: "source event → run started p50 ms", value: round(median(sourceMs)) },
        { name: "model commit → run started p50 ms", value: round(median(modelMs)) },
        { name: "bare notify → BullMQ job p50 ms", value: round(median(bareMs)) },
        { name: "vs bare notify → job (p50 ratio)", value: round(median(all) / median(bareMs), 2) },
      ],
      raw: { sourceMs, modelMs, bareMs },
    };
  } finally {
    await almanac.stop();
    await store.end();
    await dropQueue(queuePrefix);
    await dropQueue(barePrefix);
    await database.drop();
  }
}

/**
 * Reports day `day` of March's hours and waits for the chain (hours, day, total). Latencies on
 * Postgres's clock: the event's and steps' stamps against the following runs' `started_at`.
 * A step's `finished_at` is its transaction's start, a little before its commit, so the model
 * figures are, if anything, high.
 */
async function followOneDay(
  base: string,
  store: pg.Client,
  day: number,
): Promise<{ source: number; models: number[] }> {
  const date = `2024-03-${String(day).padStart(2, "0")}`;
  const res = await fetch(`${base}/api/sources/raw.events/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ from: `${date}-00:00`, to: `${date}-23:00` }),
  });
  if (res.status !== 201) throw new Error(`source event: ${res.status} ${await res.text()}`);
  const { reportedAt } = (await res.json()) as { reportedAt: string };
  const since = new Date(reportedAt);
  // The chain: hours, the day, the total.
  for (let i = 0; i < 600; i++) {
    const { rows } = await store.query<{ n: number }>(
      "select count(*)::int as n from almanac.runs where trigger = 'automation' and created_at >= $1 and status = 'succeeded'",
      [since],
    );
    if ((rows[0]?.n ?? 0) >= 3) break;
    await sleep(20);
  }
  const { rows } = await store.query<{ selection: string; started_ms: number; cause_ms: number | null }>(
    `select r.selection,
       extract(epoch from r.started_at) * 1000 as started_ms,
       (select extract(epoch from max(s.finished_at)) * 1000 from almanac.runs u
          join almanac.run_steps s on s.run_id = u.id
         where u.trigger = 'automation' and u.created_at >= $1 and u.created_at < r.created_at) as cause_ms
     from almanac.runs r
    where r.trigger = 'automation' and r.created_at >= $1
    order by r.created_at`,
    [since],
  );
  const [hours, ...followers] = rows;
  if (!hours || followers.length < 2) throw new Error(`the chain for ${date} did not run: ${JSON.stringify(rows)}`);
  return {
    source: Number(hours.started_ms) - since.getTime(),
    models: followers.map((row) => Number(row.started_ms) - Number(row.cause_ms)),
  };
}

/** `reportsPerRound` notifications through a bare listener → BullMQ → worker. */
async function bareRound(prefix: string, databaseUrl: string): Promise<number[]> {
  const latencies: number[] = [];
  const writer = new pg.Client({ connectionString: databaseUrl });
  const listener = new pg.Client({ connectionString: databaseUrl });
  await writer.connect();
  await listener.connect();
  await writer.query(`create table if not exists bare_updates (id bigserial primary key, at timestamptz default now());
    create or replace function bare_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('bare_updates', (extract(epoch from now()) * 1000)::text); return null; end $$;
    drop trigger if exists bare_updates_notify on bare_updates;
    create trigger bare_updates_notify after insert on bare_updates for each statement execute function bare_notify()`);
  const queue = new Queue("follow", { connection: { url: redisUrl }, prefix });
  const worker = new Worker(
    "follow",
    async (job) => {
      latencies.push(Date.now() - Number(job.data.committedAt));
    },
    { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix },
  );
  // The payload is the insert's commit instant (its transaction's now(), on the same clock as Date.now()).
  listener.on("notification", (message) => void queue.add("run", { committedAt: Number(message.payload) }));
  await listener.query("listen bare_updates");
  try {
    for (let i = 0; i < reportsPerRound; i++) {
      const before = latencies.length;
      await writer.query("insert into bare_updates default values");
      while (latencies.length === before) await sleep(5);
    }
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await listener.end();
    await writer.end();
  }
  return latencies;
}
