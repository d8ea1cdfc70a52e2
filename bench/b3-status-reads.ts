/**
 * B3 — status reads. 100 assets × 3,650 daily partitions in the store; three reads through the
 * REST API: one asset's partitions (all 3,650, as objects and as one character each), the
 * all-assets summary, one partition. Each at
 * 1 connection (p50/p99) and at 50 (throughput, autocannon), alternated with the same read as
 * SQL from pgbench at the same concurrency.
 */
import { createTestDatabase } from "@almanac/testing";
import { createLargeStore } from "./fixtures/large-store.js";
import { startAlmanac } from "./lib/almanac-processes.js";
import { benchQueuePrefix, dropQueue, redisUrl } from "./lib/bench-env.js";
import { httpLoad, type LoadFigures, sqlLoad } from "./lib/load.js";
import type { BenchMetric, BenchResult } from "./lib/report.js";
import { median, round } from "./lib/stats.js";

const seconds = 2;

interface Read {
  readonly name: string;
  readonly path: string;
  /** The same information as plain SQL. */
  readonly sql: string;
  /** Target p99 (ms) at one connection. */
  readonly p99TargetMs: number;
}

export async function runB3(rounds = 3): Promise<BenchResult> {
  const database = await createTestDatabase();
  const queuePrefix = benchQueuePrefix("b3");
  const store = await createLargeStore({ databaseUrl: database.url });
  const almanac = await startAlmanac({
    databaseUrl: database.url,
    redisUrl,
    queuePrefix,
    projectDir: store.projectDir,
    serverOnly: true,
  });
  const asset = "asset_050";
  const day = "2019-06-15";
  const reads: Read[] = [
    {
      name: "one asset (3,650 partitions)",
      path: `/api/assets/${asset}/partitions?from=${store.from}&to=${store.to}`,
      sql: `select partition_key, status, run_id, updated_at from almanac.asset_partitions
             where asset_key = '${asset}' and partition_key between '${store.from}' and '${store.to}'
             order by partition_key`,
      p99TargetMs: 25,
    },
    {
      name: "one asset, compact (3,650 characters)",
      path: `/api/assets/${asset}/statuses?from=${store.from}&to=${store.to}`,
      sql: `select partition_key, status, run_id, updated_at from almanac.asset_partitions
             where asset_key = '${asset}' and partition_key between '${store.from}' and '${store.to}'
             order by partition_key`,
      p99TargetMs: 10,
    },
    {
      name: "all-assets summary",
      path: "/api/assets",
      sql: "select asset_key, status, count(*) from almanac.asset_partitions group by asset_key, status",
      p99TargetMs: 50,
    },
    {
      name: "one partition",
      path: `/api/assets/${asset}/partitions?from=${day}&to=${day}`,
      sql: `select partition_key, status, run_id, updated_at from almanac.asset_partitions
             where asset_key = '${asset}' and partition_key = '${day}'`,
      p99TargetMs: 10,
    },
  ];
  try {
    const metrics: BenchMetric[] = [];
    const raw: Record<string, unknown> = { rows: store.rows };
    for (const read of reads) {
      const url = `${almanac.base}${read.path}`;
      await httpLoad(url, 1, 1); // warm-up
      const measured: { api1: LoadFigures[]; sql1: LoadFigures[]; api50: LoadFigures[]; sql50: LoadFigures[] } = {
        api1: [],
        sql1: [],
        api50: [],
        sql50: [],
      };
      for (let r = 0; r < rounds; r++) {
        measured.api1.push(await httpLoad(url, 1, seconds));
        measured.sql1.push(await sqlLoad(database.url, read.sql, 1, seconds));
        measured.api50.push(await httpLoad(url, 50, seconds));
        measured.sql50.push(await sqlLoad(database.url, read.sql, 50, seconds));
      }
      const med = (list: LoadFigures[], key: keyof LoadFigures) => median(list.map((figures) => figures[key]));
      const ratios = measured.api1.map((api, i) => api.p50Ms / (measured.sql1[i] as LoadFigures).p50Ms);
      const throughputRatios = measured.api50.map(
        (api, i) => (measured.sql50[i] as LoadFigures).perSecond / api.perSecond,
      );
      console.log(
        `    ${read.name}: p50 ${round(med(measured.api1, "p50Ms"))} ms, p99 ${round(med(measured.api1, "p99Ms"))} ms, ` +
          `${round(med(measured.api50, "perSecond"), 0)}/s at 50; SQL p50 ${round(med(measured.sql1, "p50Ms"), 3)} ms, ` +
          `${round(med(measured.sql50, "perSecond"), 0)}/s at 50`,
      );
      metrics.push(
        { name: `${read.name}: p50 ms`, value: round(med(measured.api1, "p50Ms")) },
        { name: `${read.name}: p99 ms`, value: round(med(measured.api1, "p99Ms")), target: `<= ${read.p99TargetMs}` },
        { name: `${read.name}: requests/s at 50`, value: round(med(measured.api50, "perSecond"), 0) },
        { name: `ratio to SQL, ${read.name}, p50`, value: round(median(ratios)), target: "<= 1.5" },
        { name: `ratio to SQL, ${read.name}, throughput`, value: round(median(throughputRatios)), target: "<= 1.5" },
      );
      raw[read.name] = measured;
    }
    return { id: "B3", title: "Status reads, 100 assets × 3,650 partitions", metrics, raw };
  } finally {
    await almanac.stop();
    await dropQueue(queuePrefix);
    await database.drop();
  }
}
