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
        target: Number(metric.target?.replace(/[<>= ]/g, "") ?? Number.NaN),
        verdict: meetsTarget(metric) === false ? "missed" : "met",
      })),
  );
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Almanac ÷ baseline, same machine, same run (lower is better)",
    width: 520,
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "label", type: "nominal", sort: null, title: null },
          x: { field: "ratio", type: "quantitative", title: "ratio" },
          color: {
            field: "verdict",
            type: "nominal",
            scale: { domain: ["met", "missed"], range: ["#2e9e5b", "#d9534f"] },
            title: "target",
          },
        },
      },
      {
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
