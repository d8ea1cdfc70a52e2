/**
 * M — planning a backfill across partitions definitions: 3,650 New York days over an hourly
 * upstream (87,600 hours, DST days of 23 and 25 included), one day per run, as
 * `POST /api/backfills` plans it. The target: ≤ 2 s. The baseline, in the same run: the
 * same 3,650 days over a daily upstream (identity mapping), for the ratio the mapping costs.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { planBackfill, resolveRunRequest } from "@almanac/engine";
import { loadProject, type Project } from "@almanac/project";
import type { BenchResult } from "./lib/report.js";
import { median, round } from "./lib/stats.js";

const rounds = 5;
const now = new Date("2026-01-01T00:00:00Z");

function files(upstreamGrain: "hourly" | "daily"): Record<string, string> {
  return {
    "dbt_project.yml": "name: planning\nconfig-version: 2\nmodels:\n  planning:\n    +materialized: incremental\n",
    "almanac.yml": [
      "partitions:",
      "  hourly: { type: hourly, start: 2015-01-01, timezone: America/New_York }",
      "  daily: { type: daily, start: 2015-01-01, timezone: America/New_York }",
      "assets:",
      `  - { select: events_upstream, partitions: ${upstreamGrain} }`,
      "  - { select: events_daily, partitions: daily }",
    ].join("\n"),
    "models/sources.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n",
    "models/events_upstream.sql": "select * from {{ source('raw', 'events') }} where ts >= '{{ var('min_ts') }}'",
    "models/events_daily.sql": "select count(*) from {{ ref('events_upstream') }} where ts >= '{{ var('min_ts') }}'",
  };
}

async function load(grain: "hourly" | "daily"): Promise<{ project: Project; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `almanac-bench-m-${grain}-`));
  for (const [path, text] of Object.entries(files(grain))) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { project: await loadProject(dir), dir };
}

/** Milliseconds to resolve and plan the 10-year backfill, and how many steps it planned. */
function plan(project: Project): { ms: number; steps: number } {
  const started = performance.now();
  const resolved = resolveRunRequest(project, { select: "+events_daily", from: "2015-01-01", to: "2024-12-28" }, now);
  const runs = planBackfill(project, resolved, resolved.keys, { type: "multi_run", maxPartitionsPerRun: 1 });
  const ms = performance.now() - started;
  return { ms, steps: runs.reduce((sum, run) => sum + run.steps.length, 0) };
}

export async function runM(): Promise<BenchResult> {
  const hourly = await load("hourly");
  const daily = await load("daily");
  try {
    const mapped: number[] = [];
    const identity: number[] = [];
    let steps = { mapped: 0, identity: 0 };
    for (let round = 0; round < rounds; round++) {
      const a = plan(hourly.project);
      const b = plan(daily.project);
      mapped.push(a.ms);
      identity.push(b.ms);
      steps = { mapped: a.steps, identity: b.steps };
    }
    const mappedMs = median(mapped);
    const identityMs = median(identity);
    return {
      id: "M",
      title: "planning 3,650 days over 87,600 hourly partitions",
      metrics: [
        { name: "plan over hourly upstream, ms", value: round(mappedMs, 0), target: "<= 2000" },
        { name: "plan over daily upstream, ms", value: round(identityMs, 0) },
        { name: "ratio hourly / daily upstream", value: round(mappedMs / identityMs, 2) },
        { name: "steps planned over hourly", value: steps.mapped },
      ],
      raw: { mapped, identity, steps },
    };
  } finally {
    await rm(hourly.dir, { recursive: true, force: true });
    await rm(daily.dir, { recursive: true, force: true });
  }
}
