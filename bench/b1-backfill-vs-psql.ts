/**
 * B1 — backfill against psql. The taxi example's three partitioned marts (daily_metrics,
 * daily_zone_metrics and daily_payment_metrics, over the stg_trips view) backfilled day by day
 * through the REST API, with `serve` and a `worker` of 2 runs at a time; against the same
 * per-partition SQL — Almanac's own rendering of each model for each day, written as
 * `begin; delete the window; insert; commit;` per model-partition — run by `psql` in one
 * session, and dealt to two sessions by day.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { loadProject } from "@almanac/project";
import { copyProject, createTestDatabase, editFile } from "@almanac/testing";
import { generateTrips } from "../examples/nyc_taxi/scripts/load-trips.js";
import { startAlmanac, timeBackfill } from "./lib/almanac-processes.js";
import { alternate, dayAfter, medianRatio, secondsSince } from "./lib/alternate.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import { partitionScripts } from "./lib/partition-sql.js";
import { dealRoundRobin, runPsqlSessions } from "./lib/psql-sessions.js";
import type { BenchMetric, BenchResult } from "./lib/report.js";
import { round } from "./lib/stats.js";

const marts = ["daily_metrics", "daily_zone_metrics", "daily_payment_metrics"];
const target = { name: "dev", schema: "public", type: "postgres" } as const;

export interface B1Dataset {
  readonly days: number;
  readonly rowsPerDay: number;
}

/**
 * Two shapes of trips: few heavy partitions and many light ones. The full size is
 * 36.5M trips each (365 days × 100k, 3,650 days × 10k); loading them and three rounds of three
 * contenders take about half an hour here, so `npm run bench` runs 365 days × 10k and
 * 1,000 days × 1k unless BENCH_FULL=1.
 */
export function b1Datasets(full: boolean): B1Dataset[] {
  return full
    ? [
        { days: 365, rowsPerDay: 100_000 },
        { days: 3_650, rowsPerDay: 10_000 },
      ]
    : [
        { days: 365, rowsPerDay: 10_000 },
        { days: 1_000, rowsPerDay: 1_000 },
      ];
}

export async function runB1(rounds: number, datasets: readonly B1Dataset[]): Promise<BenchResult> {
  const metrics: BenchMetric[] = [];
  const raw: Record<string, unknown> = {};
  for (const dataset of datasets) {
    const label = `${dataset.days.toLocaleString("en")} days × ${dataset.rowsPerDay.toLocaleString("en")} trips`;
    console.log(`  ${label}`);
    const result = await backfillDataset(dataset, rounds);
    raw[label] = result;
    metrics.push(
      { name: `${label}: Almanac s`, value: round(result.medians.almanac as number) },
      { name: `${label}: psql 1 session s`, value: round(result.medians["psql ×1"] as number) },
      { name: `${label}: psql 2 sessions s`, value: round(result.medians["psql ×2"] as number) },
      { name: `ratio to psql ×1, ${label}`, value: round(medianRatio(result, "almanac", "psql ×1")), target: "<= 1" },
      { name: `ratio to psql ×2, ${label}`, value: round(medianRatio(result, "almanac", "psql ×2")), target: "<= 1.2" },
    );
  }
  return { id: "B1", title: "Backfill of 3 taxi marts through the REST API against psql", metrics, raw };
}

async function backfillDataset(dataset: B1Dataset, rounds: number) {
  // Ten years must end before today: start early enough.
  const from = dataset.days > 365 ? "2014-01-01" : "2024-01-01";
  const to = dayAfter(from, dataset.days - 1);
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b1");
  const projectDir = await takeProject(from);
  const loading = performance.now();
  const loaded = await generateTrips({ databaseUrl: database.url, from, to, rowsPerDay: dataset.rowsPerDay });
  console.log(`    loaded ${loaded.rows.toLocaleString("en")} trips in ${round(secondsSince(loading), 1)} s`);
  const almanac = await startAlmanac({ databaseUrl: database.url, redisUrl, queuePrefix, projectDir });
  try {
    const backfill = (select: string, range: { from: string; to: string }) =>
      timeBackfill(almanac.base, { select, ...range });
    // Creates the views and tables, and warms both sides on two days.
    await backfill(marts.map((m) => `+${m}`).join(" "), { from, to: dayAfter(from, 1) });
    const scripts = partitionScripts(await loadProject(projectDir), marts, from, to, target);
    const [evenDays = "", oddDays = ""] = dealRoundRobin(scripts, 2).map((hand) => hand.join(""));
    return await alternate(
      [
        { name: "almanac", run: () => backfill(marts.join(" "), { from, to }) },
        { name: "psql ×1", run: () => runPsqlSessions(database.url, [scripts.join("")]) },
        { name: "psql ×2", run: () => runPsqlSessions(database.url, [evenDays, oddDays]) },
      ],
      rounds,
    );
  } finally {
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
  }
}

/** The taxi example starting at `from`, with a third mart by payment method. */
async function takeProject(from: string): Promise<string> {
  const projectDir = await copyProject("nyc_taxi");
  await editFile(path.join(projectDir, "almanac.yml"), "start: 2024-01-01", `start: ${from}`);
  await writeFile(
    path.join(projectDir, "models/marts/daily_payment_metrics.sql"),
    `{{ config(materialized='incremental', event_time='date', unique_key=['date', 'payment_method']) }}
select pickup_at::date as date, payment_method, count(*)::bigint as trip_count,
       sum(total_amount)::numeric(14, 2) as total_amount
from {{ ref('stg_trips') }}
where pickup_at >= '{{ var("min_date") }}' and pickup_at < '{{ var("max_date") }}'
group by 1, 2
`,
  );
  return projectDir;
}
