import { partitionStatusChars } from "@almanac/store";

/** The statuses a grid cell can show, in legend order. */
export const gridStatuses = ["materialized", "stale", "failed", "running", "queued", "missing"] as const;
export type GridStatus = (typeof gridStatuses)[number];

const statusOfChar = new Map<string, GridStatus>(
  Object.entries(partitionStatusChars).map(([status, char]) => [char, status as GridStatus]),
);

/** The status a character of the compact status string stands for. */
export function gridStatusOf(char: string): GridStatus {
  return statusOfChar.get(char) ?? "missing";
}

export interface GridOptions {
  readonly assetKey: string;
  /** `daily` draws a calendar (months as rows, days as columns); others rows of a fixed width. */
  readonly partitionsType: string;
  readonly keys: readonly string[];
  /** One character per key (see `partitionStatusChars`). */
  readonly statuses: string;
  /** Cells of other statuses are dimmed. */
  readonly highlight?: ReadonlySet<GridStatus>;
  /** The partition whose details are shown: marked selected and focused first. */
  readonly selected?: string;
  /** Extra query string kept on cell links (the filters). */
  readonly linkQuery: string;
}

const rowWidths: Record<string, number> = { hourly: 24, weekly: 13, monthly: 12 };

/**
 * The partition grid as HTML, built as one string: 3,650 cells through a template loop cost
 * several times more. Each cell is a link whose text (visually hidden) is its key and status,
 * so screen readers read "2024-01-05 materialized"; `web.js` makes the grid one tab stop with
 * arrow-key navigation (a roving tabindex, as the ARIA grid pattern asks).
 */
export function renderPartitionGrid(options: GridOptions): string {
  const { keys, statuses } = options;
  const focusKey = options.selected !== undefined && keys.includes(options.selected) ? options.selected : keys[0];
  const page = `/assets/${encodeURIComponent(options.assetKey)}`;
  const cell = (index: number): string => {
    const key = keys[index] ?? "";
    const status = gridStatusOf(statuses[index] ?? "-");
    const classes = [`c st-${status}`];
    if (options.highlight && !options.highlight.has(status)) classes.push("dim");
    const selected = key === options.selected;
    if (selected) classes.push("sel");
    // No `title` (web.js adds one on hover from the text): with 3,650 cells every byte per cell
    // is three and a half kilobytes. The path stays absolute: a form that failed re-renders
    // this page under its POST URL.
    const href = `${page}?${options.linkQuery}partition=${encodeURIComponent(key)}#partition`;
    const label = `${escapeHtml(key)} ${status}`;
    return (
      `<td role="gridcell"${selected ? ' aria-selected="true"' : ""}><a class="${classes.join(" ")}" href="${escapeHtml(href)}"` +
      ` tabindex="${key === focusKey ? 0 : -1}"><span class="vh">${label}</span></a></td>`
    );
  };
  const rows: string[] = [];
  let columns: number;
  if (options.partitionsType === "daily") {
    columns = 31;
    let index = 0;
    while (index < keys.length) {
      const month = keys[index]?.slice(0, 7) ?? "";
      const cells: string[] = [];
      for (let day = 1; day <= 31; day++) {
        const key = keys[index];
        if (key !== undefined && key.slice(0, 7) === month && Number(key.slice(8, 10)) === day) {
          cells.push(cell(index));
          index++;
        } else {
          cells.push('<td role="gridcell" class="none"></td>');
        }
      }
      rows.push(`<tr role="row"><th scope="row" role="rowheader">${escapeHtml(month)}</th>${cells.join("")}</tr>`);
    }
  } else {
    columns = rowWidths[options.partitionsType] ?? 24;
    for (let start = 0; start < keys.length; start += columns) {
      const cells: string[] = [];
      for (let i = start; i < Math.min(start + columns, keys.length); i++) cells.push(cell(i));
      rows.push(
        `<tr role="row"><th scope="row" role="rowheader">${escapeHtml(keys[start] ?? "")}</th>${cells.join("")}</tr>`,
      );
    }
  }
  const header = Array.from({ length: columns }, (_, i) => `<th scope="col">${i + 1}</th>`).join("");
  return (
    `<table class="grid grid-${escapeHtml(options.partitionsType)}" role="grid" data-grid ` +
    `aria-label="Partitions of ${escapeHtml(options.assetKey)}: arrow keys move, Enter opens">` +
    `<thead><tr role="row"><th scope="col"><span class="vh">Period</span></th>${header}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

/** Counts per status of a compact status string. */
export function countStatuses(statuses: string): Record<GridStatus, number> {
  const counts: Record<GridStatus, number> = {
    materialized: 0,
    stale: 0,
    failed: 0,
    running: 0,
    queued: 0,
    missing: 0,
  };
  for (const char of statuses) counts[gridStatusOf(char)]++;
  return counts;
}

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}
