/** A small drawing of the asset DAG: layers by depth, left to right, as SVG coordinates. */

export interface LineageNode {
  readonly key: string;
  /** Health class of the node: `failed`, `running`, `queued`, `stale`, `missing`, `materialized`. */
  readonly health: string;
  readonly x: number;
  readonly y: number;
}

export interface LineageEdge {
  /** An SVG path from the upstream node's right edge to the downstream node's left edge. */
  readonly d: string;
}

export interface Lineage {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
}

const nodeWidth = 168;
const nodeHeight = 26;
const columnGap = 56;
const rowGap = 10;
const margin = 8;

/**
 * Lays out `assets` (in DAG order, upstream first) by longest path from a root: each asset in
 * the column after its deepest upstream, in list order within a column. Deps outside the list
 * (ephemeral models) are skipped.
 */
export function layoutLineage(
  assets: readonly { readonly key: string; readonly deps: readonly string[]; readonly health: string }[],
): Lineage {
  const depth = new Map<string, number>();
  for (const asset of assets) {
    const upstream = asset.deps.map((dep) => depth.get(dep)).filter((d): d is number => d !== undefined);
    depth.set(asset.key, upstream.length === 0 ? 0 : Math.max(...upstream) + 1);
  }
  // Column by column, each asset goes next to its upstream: ordered by the mean row of its
  // deps (the barycenter heuristic), which removes most edge crossings in one pass.
  const columns = new Map<number, (typeof assets)[number][]>();
  for (const asset of assets) {
    const column = depth.get(asset.key) ?? 0;
    columns.set(column, [...(columns.get(column) ?? []), asset]);
  }
  const rowOf = new Map<string, number>();
  const rowInColumn = new Map<number, number>();
  const position = new Map<string, { x: number; y: number }>();
  const nodes: LineageNode[] = [];
  for (const column of [...columns.keys()].sort((a, b) => a - b)) {
    const members = columns.get(column) ?? [];
    const meanRow = (asset: (typeof assets)[number]) => {
      const rows = asset.deps.map((dep) => rowOf.get(dep)).filter((r): r is number => r !== undefined);
      return rows.length === 0 ? 0 : rows.reduce((sum, r) => sum + r, 0) / rows.length;
    };
    const ordered = column === 0 ? members : [...members].sort((a, b) => meanRow(a) - meanRow(b));
    ordered.forEach((asset, row) => {
      rowOf.set(asset.key, row);
      const x = margin + column * (nodeWidth + columnGap);
      const y = margin + row * (nodeHeight + rowGap);
      position.set(asset.key, { x, y });
      nodes.push({ key: asset.key, health: asset.health, x, y });
    });
    rowInColumn.set(column, ordered.length);
  }
  const edges: LineageEdge[] = [];
  for (const asset of assets) {
    const to = position.get(asset.key);
    for (const dep of asset.deps) {
      const from = position.get(dep);
      if (!from || !to) continue;
      const x1 = from.x + nodeWidth;
      const y1 = from.y + nodeHeight / 2;
      const x2 = to.x;
      const y2 = to.y + nodeHeight / 2;
      const mid = (x1 + x2) / 2;
      edges.push({ d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` });
    }
  }
  const columnCount = Math.max(1, ...[...rowInColumn.keys()].map((c) => c + 1));
  const rows = Math.max(1, ...rowInColumn.values());
  return {
    nodes,
    edges,
    width: margin * 2 + columnCount * nodeWidth + (columnCount - 1) * columnGap,
    height: margin * 2 + rows * nodeHeight + (rows - 1) * rowGap,
    nodeWidth,
    nodeHeight,
  };
}
