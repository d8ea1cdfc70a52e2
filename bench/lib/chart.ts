import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { type BenchResult, meetsTarget } from "./report.js";

/**
 * One bar per ratio metric (Almanac ÷ baseline; lower is better), with its target as a tick,
 * rendered to SVG by Vega without a browser.
 */
export async function ratioChart(results: readonly BenchResult[]): Promise<string> {
  const values = results.flatMap((result) =>
    result.metrics
      .filter((metric) => metric.name.startsWith("ratio"))
      .map((metric) => ({
        label: `${result.id} ${metric.name.replace(/^ratio to /, "vs ")}`,
        ratio: metric.value,
        target: metric.target === undefined ? null : Number(metric.target.replace(/[<>= ]/g, "")),
        verdict: { true: "met", false: "missed", undefined: "no target" }[String(meetsTarget(metric))],
      })),
  );
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Almanac ÷ baseline, same machine, same run (lower is better)",
    width: 480,
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "label", type: "nominal", sort: null, title: null, axis: { labelLimit: 360 } },
          // Log scale: ratios from 0.2 to 100 on one chart, equal distances for equal factors.
          x: {
            field: "ratio",
            type: "quantitative",
            title: "ratio (log scale)",
            scale: { type: "log", domain: [0.1, 200], nice: false },
          },
          // A log scale has no zero: bars start at its left edge.
          x2: { datum: 0.1 },
          color: {
            field: "verdict",
            type: "nominal",
            scale: { domain: ["met", "missed", "no target"], range: ["#2e9e5b", "#d9534f", "#9aa3ad"] },
            title: "target",
          },
        },
      },
      {
        transform: [{ filter: "isValid(datum.target)" }],
        mark: { type: "tick", color: "#222", thickness: 2 },
        encoding: {
          y: { field: "label", type: "nominal", sort: null },
          x: { field: "target", type: "quantitative" },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4 },
        encoding: {
          y: { field: "label", type: "nominal", sort: null },
          x: { field: "ratio", type: "quantitative" },
          text: { field: "ratio", type: "quantitative", format: ".2f" },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}
