/**
 * Benchmark (not a test): plan, record and enqueue a backfill of 3,650 daily partitions × 3
 * partitioned assets, as `POST /api/backfills` does, and print how long each part took.
 *
 *   node --conditions=source --import tsx bench/backfill-enqueue.ts
 *
 * Needs the test services (Postgres on 127.0.0.1:5432, Redis on 127.0.0.1:6379, or
 * ALMANAC_TEST_DATABASE_URL / ALMANAC_TEST_REDIS_URL). Works on a database cloned for it and a
 * queue prefix of its own, both removed at the end.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type EngineContext, requestBackfill } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue } from "@almanac/queue";
import { copyProject, createTestDatabase } from "@almanac/testing";
import pg from "pg";

const days = 3_650;
const from = "2024-01-01";
const to = "2033-12-28"; // 3,650 days after 2024-01-01, both included
const now = new Date("2034-01-01T00:00:00Z");

// nyc_taxi has two partitioned marts; a third, by payment method, makes three assets.
const projectDir = await copyProject("nyc_taxi");
await writeFile(
  path.join(projectDir, "models/marts/daily_payment_metrics.sql"),
  `{{ config(materialized='incremental', event_time='date', unique_key=['date', 'payment_method']) }}
select pickup_at::date as date, payment_method, count(*)::bigint as trip_count
from {{ ref('stg_trips') }}
where pickup_at >= '{{ var("min_date") }}' and pickup_at < '{{ var("max_date") }}'
group by 1, 2
`,
);

const database = await createTestDatabase();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
// The same Redis the tests use (ALMANAC_TEST_REDIS_URL).
const { ALMANAC_TEST_REDIS_URL: testRedisUrl } = process.env;
const queue = createRunQueue({
  redisUrl: testRedisUrl ?? "redis://127.0.0.1:6379",
  prefix: `almanac_bench_${randomBytes(5).toString("hex")}`,
});
const ctx: EngineContext = {
  project: await loadProject(projectDir),
  target: { name: "bench", schema: "public", type: "postgres" },
  warehouse: pool,
  store: pool,
  sharedTransaction: true,
};

try {
  // Warm the connections and code paths once, on a small range, so the figure is the steady state.
  const warm = await requestBackfill(ctx, { select: "daily_metrics", from, to: "2024-01-07" }, { now });
  await queue.enqueueRuns(warm.ready);
  await queue.queue.obliterate({ force: true });

  // Three rounds: the first on untouched partitions, the next ones over the same range again
  // (an overlapping backfill: every asset partition is taken over rather than created).
  for (let round = 1; round <= 3; round++) {
    const started = performance.now();
    const backfill = await requestBackfill(
      ctx,
      { select: "daily_metrics daily_zone_metrics daily_payment_metrics", from, to },
      { now },
    );
    const recorded = performance.now();
    await queue.enqueueRuns(backfill.ready);
    const enqueued = performance.now();

    const jobs = await queue.queue.getJobCountByTypes("wait", "delayed", "prioritized");
    const [partitions] = (
      await pool.query<{ n: number }>(
        `select count(*)::int as n from almanac.asset_partitions p join almanac.runs r on r.id = p.run_id
          where r.backfill_id = $1 and p.status = 'queued'`,
        [backfill.backfillId],
      )
    ).rows;
    const ms = (a: number, b: number) => `${Math.round(b - a)} ms`;
    console.log(
      `round ${round}: ${days} partitions × 3 assets → ${backfill.runs} runs, ${partitions?.n} asset partitions queued, ${jobs} jobs`,
    );
    console.log(`  plan + record (one transaction): ${ms(started, recorded)}`);
    console.log(`  enqueue (one addBulk):           ${ms(recorded, enqueued)}`);
    console.log(`  total:                           ${ms(started, enqueued)}`);
    await queue.queue.obliterate({ force: true });
  }
} finally {
  await queue.queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await pool.end();
  await database.drop();
}
