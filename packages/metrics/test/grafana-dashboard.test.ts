import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { repoRoot } from "@almanac/testing";
import { createAlmanacMetrics } from "../src/index.js";

/** Every series name a registry can write: histograms add _bucket, _sum and _count. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createAlmanacMetrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(metric.name + s);
  }
  return names;
}

test("the Grafana dashboard in docs/ queries only metrics Almanac exports", async () => {
  const dashboard = JSON.parse(await readFile(path.join(repoRoot, "docs/grafana/almanac-dashboard.json"), "utf8")) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const names = await exportedNames();
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, panel.title);
    for (const { expr } of panel.targets) {
      // Metric names: identifiers of almanac_/process_/nodejs_ series in the PromQL.
      for (const [name] of expr.matchAll(/\b(?:almanac|process|nodejs)_[a-z0-9_]+/g)) {
        assert.ok(names.has(name), `${panel.title}: ${name} is not exported`);
        used.add(name);
      }
    }
  }
  // Each of Almanac's own families is on the dashboard.
  for (const name of names) {
    if (!name.startsWith("almanac_") || /_(sum|count)$/.test(name)) continue;
    if (name === "almanac_step_duration_seconds") continue; // used through _bucket
    assert.ok(used.has(name), `${name} has no panel`);
  }
});
