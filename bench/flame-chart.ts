/**
 * `node --import tsx bench/flame-chart.ts <in.cpuprofile> <out.svg> [title]`: a flame chart of a
 * CPU profile taken with `--cpu-prof` (see docs/benchmarks.md, "Profiles").
 */
import { readFile, writeFile } from "node:fs/promises";
import { type CpuProfile, flameChartSvg } from "./lib/flame-chart.js";

const [input, output, title = "CPU profile"] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error("usage: flame-chart.ts <in.cpuprofile> <out.svg> [title]");
  process.exit(2);
}
const profile = JSON.parse(await readFile(input, "utf8")) as CpuProfile;
await writeFile(output, flameChartSvg(profile, title));
