import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@almanac/testing";
import type { BenchMetric, BenchResult } from "./report.js";

interface WebPagesJson {
  pages: Record<string, { url: string; p50Ms: number; p99Ms: number; target: number }>;
}

/**
 * Issue 5's page benchmark (bench/web-pages.ts, its own script) as one of `npm run bench`'s:
 * the assets page and an asset page over 100 assets × 3,650 days. No baseline: the target is
 * absolute (under 200 ms).
 */
export async function runWebPages(requests = 100): Promise<BenchResult> {
  await promisify(execFile)(
    process.execPath,
    ["--conditions=source", "--import", "tsx", path.join(repoRoot, "bench/web-pages.ts"), String(requests)],
    { cwd: repoRoot },
  );
  const json = JSON.parse(
    await readFile(path.join(repoRoot, "docs/benchmarks/web-pages.json"), "utf8"),
  ) as WebPagesJson;
  const metrics: BenchMetric[] = Object.values(json.pages).flatMap((page) => [
    { name: `page ${page.url}: p50 ms`, value: page.p50Ms },
    { name: `page ${page.url}: p99 ms`, value: page.p99Ms, target: `<= ${page.target}` },
  ]);
  return { id: "W", title: "Web pages over 100 assets × 3,650 days", metrics, raw: json };
}
