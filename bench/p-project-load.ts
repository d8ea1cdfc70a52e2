/**
 * P — loading and rendering a dbt project of 200 models that use installed packages' macros.
 * The issue's targets: the load ≤ 1 s, a model's render ≤ 2 ms at the median.
 *
 * The packages: with ALMANAC_BENCH_DBT_PACKAGES naming a `dbt_packages/` folder laid out by
 * `dbt deps` with dbt_utils and dbt_date (they are not part of this repository), those; without
 * it, a package generated here of the same shape (60 dispatched macros over cross-database
 * macros), so the figure is still measured. The baseline, in the same run: the same models
 * loaded without any package, for the ratio the packages cost.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadProject, renderModel, type Target } from "@almanac/project";
import type { BenchResult } from "./lib/report.js";
import { median, round } from "./lib/stats.js";

const target: Target = { name: "bench", schema: "analytics", type: "postgres" };
const modelCount = 200;

type Files = Record<string, string>;

/** 20 staging models on sources, then layers that each read two models of the layer before. */
function models(macroCall: (i: number) => string): Files {
  const files: Files = {
    "models/sources.yml": [
      "version: 2",
      "sources:",
      "  - name: raw",
      "    tables:",
      ...Array.from({ length: 20 }, (_, i) => `      - name: events_${i}`),
    ].join("\n"),
  };
  for (let i = 0; i < modelCount; i++) {
    const name = `m_${String(i).padStart(3, "0")}`;
    const from =
      i < 20
        ? `{{ source('raw', 'events_${i}') }}`
        : `{{ ref('m_${String(i - 20).padStart(3, "0")}') }} a join {{ ref('m_${String(i - 19).padStart(3, "0")}') }} b using (id)`;
    files[`models/${name}.sql`] = [
      "{{ config(materialized='table') }}",
      "select",
      "  id,",
      `  ${macroCall(i)} as derived,`,
      "  {{ dbt.date_trunc('day', 'created_at') }} as day",
      `from ${from}`,
      "{% if is_incremental() %}where created_at > (select max(created_at) from {{ this }}){% endif %}",
    ].join("\n");
  }
  return files;
}

/** Calls into dbt_utils and dbt_date as models write them. */
function realPackageCall(i: number): string {
  const calls = [
    "{{ dbt_utils.generate_surrogate_key(['id', 'created_at']) }}",
    "{{ dbt_utils.safe_add(['id', 'id']) }}",
    "{{ dbt_utils.safe_divide('id', 'id') }}",
    "{{ dbt_date.day_of_week('created_at') }}",
    "{{ dbt_date.convert_timezone('created_at', 'Europe/Paris', 'UTC') }}",
  ];
  return calls[i % calls.length] ?? "";
}

/** A package of the shape of dbt_utils: each macro dispatches to a default__ that composes others. */
function generatedPackage(): Files {
  const macros: string[] = [];
  for (let i = 0; i < 60; i++) {
    macros.push(
      `{% macro util_${i}(fields) %}{{ return(adapter.dispatch('util_${i}', 'bench_utils')(fields)) }}{% endmacro %}`,
      `{% macro default__util_${i}(fields) %}{%- set parts = [] -%}{%- for f in fields -%}{%- do parts.append("coalesce(cast(" ~ f ~ " as " ~ dbt.type_string() ~ "), '')") -%}{%- endfor -%}{{ dbt.hash(dbt.concat(parts)) }}{% endmacro %}`,
    );
  }
  return {
    "bench_utils/dbt_project.yml": "name: bench_utils\n",
    "bench_utils/macros/utils.sql": macros.join("\n"),
  };
}

async function writeProject(dir: string, files: Files): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

async function timeLoad(dir: string): Promise<number> {
  const started = performance.now();
  await loadProject(dir);
  return performance.now() - started;
}

export async function runP(rounds = 7): Promise<BenchResult> {
  const installed = process.env.ALMANAC_BENCH_DBT_PACKAGES;
  const real =
    installed !== undefined && existsSync(join(installed, "dbt_utils")) && existsSync(join(installed, "dbt_date"));
  const root = await mkdtemp(join(tmpdir(), "almanac-bench-p-"));
  const withPackages = join(root, "with-packages");
  const bare = join(root, "bare");
  try {
    if (real) {
      await writeProject(withPackages, {
        "dbt_project.yml": "name: bench_shop\n",
        "packages.yml":
          "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.3\n  - package: godatadriven/dbt_date\n    version: 0.17.1\n",
        ...models(realPackageCall),
      });
      await mkdir(join(withPackages, "dbt_packages"));
      for (const name of ["dbt_utils", "dbt_date"]) {
        await symlink(join(installed, name), join(withPackages, "dbt_packages", name));
      }
    } else {
      await writeProject(withPackages, {
        "dbt_project.yml": "name: bench_shop\n",
        "packages.yml": "packages:\n  - local: bench_utils\n",
        ...generatedPackage(),
        ...models((i) => `{{ bench_utils.util_${i % 60}(['id', 'created_at']) }}`),
      });
      // What `dbt deps` leaves for a local package: a link under dbt_packages/.
      await mkdir(join(withPackages, "dbt_packages"));
      await symlink("../bench_utils", join(withPackages, "dbt_packages", "bench_utils"));
    }
    await writeProject(bare, { "dbt_project.yml": "name: bench_shop\n", ...models(() => "md5(cast(id as text))") });

    // Alternate the two loads round by round (the machine is noisy); the first round warms up.
    const loads: number[] = [];
    const bareLoads: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const withTime = await timeLoad(withPackages);
      const bareTime = await timeLoad(bare);
      if (i === 0) continue;
      loads.push(withTime);
      bareLoads.push(bareTime);
    }

    const project = await loadProject(withPackages);
    const renders: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const name of project.models.keys()) {
        const started = performance.now();
        renderModel(project, name, { target, isIncremental: round === 2 });
        if (round > 0) renders.push(performance.now() - started);
      }
    }
    const loadMs = median(loads);
    return {
      id: "P",
      title: `load and render ${modelCount} models using ${real ? "dbt_utils 1.3 and dbt_date" : "a generated package of 60 dispatched macros"}`,
      metrics: [
        { name: "load, median (ms)", value: round(loadMs, 1), target: "<= 1000" },
        { name: "load vs the same models bare", value: round(loadMs / median(bareLoads), 2) },
        { name: "render one model, median (ms)", value: round(median(renders), 3), target: "<= 2" },
      ],
      raw: { packages: real ? "dbt_utils+dbt_date" : "generated", loads, bareLoads, renders: renders.length },
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
