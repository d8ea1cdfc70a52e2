/**
 * Benchmark (not a test): render times of the web pages over a large store, 100 daily assets
 * × 3,650 partitions (bench/fixtures/large-store.ts), through a real server on a port.
 *
 *   node --conditions=source --import tsx bench/web-pages.ts [runs]
 *
 * Prints p50/p99 per page and writes docs/benchmarks/web-pages.json. Needs the test services
 * (Postgres on 127.0.0.1:5432, Redis on 127.0.0.1:6379, or ALMANAC_TEST_DATABASE_URL /
 * ALMANAC_TEST_REDIS_URL); works on a database cloned for it and a queue prefix of its own,
 * both removed at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import type { EngineContext } from "@almanac/engine";
import { loadProject } from "@almanac/project";
import { createRunQueue } from "@almanac/queue";
import { startServer } from "@almanac/server";
import { createTestDatabase, repoRoot } from "@almanac/testing";
import pg from "pg";
import { createLargeStore, largeStoreAssetKey } from "./fixtures/large-store.js";

const runs = Number(process.argv[2] ?? 200);
const warmup = 20;
const targetMs = 200;

const database = await createTestDatabase();
const target = { name: "bench", schema: "public", type: "postgres" } as const;
const store = await createLargeStore({ databaseUrl: database.url, target });
const pool = new pg.Pool({ connectionString: database.url, max: 8 });
const queue = createRunQueue({
  redisUrl: process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  prefix: `almanac_bench_${randomBytes(5).toString("hex")}`,
});
const ctx: EngineContext = {
  project: await loadProject(store.projectDir),
  target,
  warehouse: pool,
  store: pool,
  sharedTransaction: true,
};
const server = await startServer({
  ctx,
  runQueue: queue,
  logger: false,
  now: () => store.now,
  host: "127.0.0.1",
  port: 0,
});

/** Time of each full response (headers and body read), in ms. */
async function measure(url: string): Promise<{ times: number[]; bytes: number }> {
  let bytes = 0;
  const fetchOnce = async () => {
    const started = performance.now();
    const response = await fetch(`${server.url}${url}`);
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    bytes = body.byteLength;
    return performance.now() - started;
  };
  for (let i = 0; i < warmup; i++) await fetchOnce();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fetchOnce());
  return { times: times.sort((a, b) => a - b), bytes };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const round = (ms: number) => Math.round(ms * 10) / 10;

const loadBefore = loadavg()[0];
try {
  // A leaf of the DAG: its partitions, its upstream's (for staleness) and its SQL are all read.
  const asset = largeStoreAssetKey(77);
  const pages = {
    assets: "/",
    asset: `/assets/${asset}`,
    assetWithPartition: `/assets/${asset}?partition=2020-02-29`,
  };
  const results: Record<
    string,
    { url: string; p50Ms: number; p99Ms: number; runs: number; bytes: number; target: number }
  > = {};
  console.log(`store: ${store.assetKeys.length} assets, ${store.rows.toLocaleString("en-US")} partition rows`);
  for (const [name, url] of Object.entries(pages)) {
    const { times, bytes } = await measure(url);
    results[name] = {
      url,
      p50Ms: round(percentile(times, 50)),
      p99Ms: round(percentile(times, 99)),
      runs,
      bytes,
      target: targetMs,
    };
    const r = results[name];
    console.log(
      `${name.padEnd(20)} p50 ${String(r?.p50Ms).padStart(6)} ms  p99 ${String(r?.p99Ms).padStart(6)} ms  ` +
        `${(bytes / 1024).toFixed(0)} KiB  ${(r?.p99Ms ?? Infinity) < targetMs ? "ok" : "OVER TARGET"}`,
    );
  }
  const out = path.join(repoRoot, "docs/benchmarks/web-pages.json");
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify(
      {
        description:
          "Web page render time over 100 daily assets x 3,650 partitions: full HTTP response on 127.0.0.1, sequential requests after a warm-up",
        store: { assets: store.assetKeys.length, partitionsPerAsset: 3_650, rows: store.rows },
        node: process.version,
        // Other work on the machine skews the tail: the 1-minute load average before and after.
        loadAverage: { before: loadBefore, after: loadavg()[0] },
        measuredAt: new Date().toISOString(),
        pages: results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
} finally {
  await server.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  await pool.end();
  await database.drop();
  await rm(store.projectDir, { recursive: true, force: true });
}
