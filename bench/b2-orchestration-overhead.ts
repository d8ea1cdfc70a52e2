/**
 * B2 — orchestration overhead. Three trivial partitioned models in a chain (one row per day
 * each), 3,650 daily partitions backfilled through the REST API with `serve` and `worker`
 * processes, against `psql` running `begin; delete; insert; commit` per model-partition in one
 * session: what Almanac adds around the SQL.
 */
import path from "node:path";
import { loadProject } from "@almanac/project";
import { createTestDatabase } from "@almanac/testing";
import { startAlmanac, timeBackfill } from "./lib/almanac-processes.js";
import { alternate, dayAfter, medianRatio } from "./lib/alternate.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import { partitionScripts } from "./lib/partition-sql.js";
import { runPsqlSessions } from "./lib/psql-sessions.js";
import type { BenchResult } from "./lib/report.js";
import { round } from "./lib/stats.js";

const projectDir = path.join(import.meta.dirname, "projects/trivial");
const models = ["m1", "m2", "m3"];
/**
 * The second Almanac contender backfills with `maxPartitionsPerRun` 30 (a Dagster multi_run
 * policy): one step per model per 30 days. It does less work than the baseline by design — the
 * point of a backfill policy — so its ratio has no target; it shows what the policy buys.
 */
const chunk = 30;
const from = "2016-01-01";
const target = { name: "dev", schema: "public", type: "postgres" } as const;

export async function runB2(rounds = 3, partitions = 3_650): Promise<BenchResult> {
  const to = dayAfter(from, partitions - 1);
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b2");
  const almanac = await startAlmanac({ databaseUrl: database.url, redisUrl, queuePrefix, projectDir });
  try {
    const backfill = (range: { from: string; to: string }, maxPartitionsPerRun = 1) =>
      timeBackfill(almanac.base, { select: models.join(" "), ...range, maxPartitionsPerRun });
    // Creates the tables and warms both sides' caches on a week.
    await backfill({ from, to: dayAfter(from, 6) });
    const project = await loadProject(projectDir);
    const script = partitionScripts(project, models, from, to, target).join("");

    const result = await alternate(
      [
        { name: "almanac", run: () => backfill({ from, to }) },
        { name: "psql", run: () => runPsqlSessions(database.url, [script]) },
        { name: `almanac, ${chunk} days per run`, run: () => backfill({ from, to }, chunk) },
      ],
      rounds,
    );
    const almanacSeconds = result.medians.almanac as number;
    const chunkedSeconds = result.medians[`almanac, ${chunk} days per run`] as number;
    const psqlSeconds = result.medians.psql as number;
    return {
      id: "B2",
      title: `Orchestration overhead: ${partitions.toLocaleString("en")} partitions × 3 trivial models`,
      metrics: [
        { name: "partitions/s", value: round(partitions / almanacSeconds, 0), target: ">= 500" },
        { name: "ms per model-partition", value: round((almanacSeconds * 1000) / (partitions * 3), 3) },
        { name: "psql ms per model-partition", value: round((psqlSeconds * 1000) / (partitions * 3), 3) },
        { name: "ratio to psql", value: round(medianRatio(result, "almanac", "psql")), target: "<= 1.5" },
        {
          name: `partitions/s, ${chunk} days per run`,
          value: round(partitions / chunkedSeconds, 0),
          target: ">= 1000",
        },
        {
          name: `ratio to psql, ${chunk} days per run`,
          value: round(medianRatio(result, `almanac, ${chunk} days per run`, "psql"), 3),
        },
      ],
      raw: result,
    };
  } finally {
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
  }
}
