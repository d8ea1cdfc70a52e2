/**
 * A flame chart (icicle) of a V8 `.cpuprofile` as SVG, without a browser or a dependency: the
 * call tree with frames of one name merged under one parent, each frame as wide as its share
 * of the busy time (idle, GC and `(program)` left out of the tree, their shares in the title).
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface Frame {
  readonly label: string;
  readonly area: string;
  micros: number;
  readonly children: Map<string, Frame>;
}

const width = 1200;
const rowHeight = 17;
/** Frames narrower than this many pixels are left out (their time stays in their parent). */
const minWidth = 3;
const outside = new Set(["(idle)", "(garbage collector)", "(program)"]);

const areaColors: Readonly<Record<string, string>> = {
  almanac: "#e4572e",
  pg: "#29335c",
  drizzle: "#669bbc",
  bullmq: "#f3a712",
  node: "#a8c686",
  other: "#bbbbbb",
};

/** Which part of the stack a frame belongs to, for its colour. */
function areaOf(url: string): string {
  if (/\/(packages|apps)\/[^/]+\/(dist|src)\//.test(url) && !url.includes("node_modules")) return "almanac";
  if (/node_modules\/(pg|pg-pool|pg-protocol)\//.test(url)) return "pg";
  if (url.includes("node_modules/drizzle-orm/")) return "drizzle";
  if (/node_modules\/(bullmq|ioredis|msgpackr)\//.test(url)) return "bullmq";
  if (url.startsWith("node:") || url === "") return "node";
  return "other";
}

function labelOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const file = url.split("/").slice(-1)[0] ?? "";
  return `${functionName || "(anonymous)"}${file ? ` ${file}` : ""}`;
}

/** Renders `profile` as an SVG document titled `title`. */
export function flameChartSvg(profile: CpuProfile, title: string): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const root: Frame = { label: "all", area: "node", micros: 0, children: new Map() };
  const outsideMicros = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    total += micros;
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const node = byId.get(at);
      if (node) stack.unshift(node);
    }
    const leaf = stack.at(-1);
    if (leaf && outside.has(leaf.callFrame.functionName)) {
      outsideMicros.set(leaf.callFrame.functionName, (outsideMicros.get(leaf.callFrame.functionName) ?? 0) + micros);
      continue;
    }
    root.micros += micros;
    let frame = root;
    for (const node of stack.slice(1)) {
      const label = labelOf(node);
      let child = frame.children.get(label);
      if (!child) {
        child = { label, area: areaOf(node.callFrame.url), micros: 0, children: new Map() };
        frame.children.set(label, child);
      }
      child.micros += micros;
      frame = child;
    }
  }

  const rects: string[] = [];
  let depth = 0;
  const draw = (frame: Frame, x: number, level: number) => {
    const w = (frame.micros / root.micros) * width;
    if (w < minWidth) return;
    depth = Math.max(depth, level);
    const y = level * rowHeight;
    const text = frame.label.length * 6.5 < w - 4 ? frame.label : frame.label.slice(0, Math.floor((w - 4) / 6.5));
    const percent = ((frame.micros / root.micros) * 100).toFixed(1);
    rects.push(
      `<g><title>${escapeXml(frame.label)}: ${percent}% of busy time</title>` +
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${areaColors[frame.area]}"/>` +
        (text.length > 2
          ? `<text x="${(x + 2).toFixed(1)}" y="${y + 12}" fill="${frame.area === "pg" ? "#fff" : "#000"}">${escapeXml(text)}</text>`
          : "") +
        "</g>",
    );
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => b.micros - a.micros)) {
      draw(child, childX, level + 1);
      childX += (child.micros / root.micros) * width;
    }
  };
  draw(root, 0, 1);
  const share = (name: string) => (((outsideMicros.get(name) ?? 0) / total) * 100).toFixed(0);
  const heading = `${title}: busy ${((root.micros / total) * 100).toFixed(0)}% of ${(total / 1e6).toFixed(1)} s, idle ${share("(idle)")}%, GC ${share("(garbage collector)")}%`;
  const legend = Object.entries(areaColors)
    .map(
      ([area, color], i) =>
        `<rect x="${i * 90}" y="4" width="10" height="10" fill="${color}"/><text x="${i * 90 + 14}" y="13">${area}</text>`,
    )
    .join("");
  const height = (depth + 2) * rowHeight + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
<text x="0" y="${rowHeight - 4}" font-size="13">${escapeXml(heading)}</text>
<g transform="translate(0, ${height - 20})">${legend}</g>
${rects.join("\n")}
</svg>
`;
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
