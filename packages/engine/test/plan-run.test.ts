import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { planRun, policyOf, resolveRunRequest } from "@almanac/engine";
import { loadProject, type Project } from "@almanac/project";
import { examplesDir } from "@almanac/testing";

const now = new Date("2024-06-01T00:00:00Z");

describe("planRun", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(path.join(examplesDir, "nyc_taxi"));
  });

  const cases: { name: string; select: string; from?: string; to?: string; perStep?: number; steps: string[] }[] = [
    {
      name: "a staging view is built once, before the partitions that read it",
      select: "+daily_metrics",
      from: "2024-01-01",
      to: "2024-01-03",
      steps: ["stg_trips", "daily_metrics 2024-01-01", "daily_metrics 2024-01-02", "daily_metrics 2024-01-03"],
    },
    {
      name: "single_run: one step over the whole range",
      select: "+daily_metrics",
      from: "2024-01-01",
      to: "2024-01-03",
      perStep: 3,
      steps: ["stg_trips", "daily_metrics 2024-01-01..2024-01-03"],
    },
    {
      name: "multi_run with two partitions per step: the last chunk is shorter",
      select: "daily_metrics",
      from: "2024-01-01",
      to: "2024-01-03",
      perStep: 2,
      steps: ["daily_metrics 2024-01-01..2024-01-02", "daily_metrics 2024-01-03"],
    },
    {
      name: "partition-major: each day's partitions of every model before the next day",
      select: "daily_metrics daily_zone_metrics",
      from: "2024-01-01",
      to: "2024-01-02",
      steps: [
        "daily_metrics 2024-01-01",
        "daily_zone_metrics 2024-01-01",
        "daily_metrics 2024-01-02",
        "daily_zone_metrics 2024-01-02",
      ],
    },
    {
      name: "a summary table that reads the partitions runs once, after all of them",
      select: "+zone_summary",
      from: "2024-01-01",
      to: "2024-01-02",
      steps: [
        "stg_trips",
        "stg_zones",
        "daily_zone_metrics 2024-01-01",
        "daily_zone_metrics 2024-01-02",
        "zone_summary",
      ],
    },
    {
      name: "unpartitioned models only: one step each",
      select: "stg_trips stg_zones",
      steps: ["stg_trips", "stg_zones"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const resolved = resolveRunRequest(project, { select: c.select, from: c.from, to: c.to }, now);
      const steps = planRun(project, resolved, { maxPartitionsPerStep: c.perStep });
      assert.deepEqual(
        steps.map((s) =>
          s.partitionFrom === undefined
            ? s.assetKey
            : `${s.assetKey} ${s.partitionFrom === s.partitionTo ? s.partitionFrom : `${s.partitionFrom}..${s.partitionTo}`}`,
        ),
        c.steps,
      );
    });
  }

  test("the backfill policy comes from almanac.yml, else one partition per run", () => {
    assert.deepEqual(policyOf(project, ["stg_trips", "daily_metrics"]), { type: "multi_run", maxPartitionsPerRun: 1 });
    assert.deepEqual(policyOf(project, ["stg_trips"]), { type: "multi_run", maxPartitionsPerRun: 1 });
  });
});
