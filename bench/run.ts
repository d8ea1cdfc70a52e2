/**
 * `npm run bench [B1 B3 …]`: runs the benchmarks (all, or those named), prints each figure
 * against its target, and writes docs/benchmarks/results.json, results.md and ratios.svg.
 * Each benchmark alternates Almanac and its baseline round after round in this one run, so
 * the ratios hold on a noisy machine even when the raw seconds do not.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { adminUrl, repoRoot } from "@almanac/testing";
import { runA } from "./a-automation-latency.js";
import { b1Datasets, runB1 } from "./b1-backfill-vs-psql.js";
import { runB2 } from "./b2-orchestration-overhead.js";
import { runB3 } from "./b3-status-reads.js";
import { runB4 } from "./b4-schedule-latency.js";
import { runB5 } from "./b5-enqueue.js";
import { runB6 } from "./b6-memory.js";
import { ratioChart } from "./lib/chart.js";
import { describeMachine } from "./lib/machine.js";
import { type BenchResult, meetsTarget } from "./lib/report.js";
import { runWebPages } from "./lib/web-pages-result.js";
import { runM } from "./m-mapped-planning.js";
import { runP } from "./p-project-load.js";

/** BENCH_FULL=1: B1 at the full size (36.5M trips per shape; about half an hour). */
const full = process.env.BENCH_FULL === "1";

const benchmarks: Record<string, () => Promise<BenchResult>> = {
  B1: () => runB1(3, b1Datasets(full)),
  B2: () => runB2(),
  B3: () => runB3(),
  B4: () => runB4(),
  B5: () => runB5(),
  B6: () => runB6(),
  W: () => runWebPages(),
  P: () => runP(),
  M: () => runM(),
  A: () => runA(),
};

const wanted = process.argv.slice(2).map((name) => name.toUpperCase());
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}

const outDir = path.join(repoRoot, "docs/benchmarks");
const machine = await describeMachine(adminUrl);
console.log(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
console.log(`Postgres ${JSON.stringify(machine.postgres)}`);
const started = new Date();
const results: BenchResult[] = [];
for (const [id, run] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(id)) continue;
  console.log(`\n${id}`);
  const t = performance.now();
  const result = await run();
  results.push(result);
  console.log(`${id} ${result.title} (${Math.round((performance.now() - t) / 1000)} s)`);
  for (const metric of result.metrics) {
    const verdict = meetsTarget(metric);
    const mark =
      verdict === undefined ? "" : verdict ? `  target ${metric.target}: met` : `  target ${metric.target}: MISSED`;
    console.log(`  ${metric.name.padEnd(36)} ${String(metric.value).padStart(10)}${mark}`);
  }
}

// A partial run (`npm run bench -- B6`) replaces those benchmarks in the last full report and
// keeps the others, each stamped with when it ran.
await mkdir(outDir, { recursive: true });
const reportFile = path.join(outDir, "results.json");
const previous: (BenchResult & { measuredAt?: string })[] =
  wanted.length > 0 && existsSync(reportFile) ? JSON.parse(await readFile(reportFile, "utf8")).results : [];
const stamped = results.map((result) => ({ ...result, measuredAt: started.toISOString() }));
const report = Object.keys(benchmarks).flatMap(
  (id) => stamped.find((r) => r.id === id) ?? previous.filter((r) => r.id === id),
);
await writeFile(reportFile, `${JSON.stringify({ machine, results: report }, null, 2)}\n`);
await writeFile(path.join(outDir, "ratios.svg"), await ratioChart(report));
await writeFile(path.join(outDir, "results.md"), resultsTable(report));
console.log("\nwrote docs/benchmarks/results.json, results.md and ratios.svg");

/** The figures as a Markdown table, for docs/benchmarks.md to quote. */
function resultsTable(all: readonly (BenchResult & { measuredAt?: string })[]): string {
  const rows = all.flatMap((result) =>
    result.metrics.map((metric) => {
      const verdict = meetsTarget(metric);
      const mark = verdict === undefined ? "" : verdict ? "met" : "**missed**";
      const at = result.measuredAt?.slice(0, 16).replace("T", " ") ?? "";
      return `| ${result.id} | ${metric.name} | ${metric.value} | ${metric.target ?? ""} | ${mark} | ${at} |`;
    }),
  );
  return [
    "Measured by `npm run bench` on the machine described in results.json, which also has the raw times.",
    "",
    "| | figure | value | target | | measured (UTC) |",
    "| --- | --- | ---: | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
