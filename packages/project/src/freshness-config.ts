import { formatKeyPath, isMapping, rejectUnknownKeys, type YamlFile } from "./yaml-file.js";

/** An asset rule's `freshness:`: the latest partition must be materialized within `maxLagMs` of its window's end. */
export interface FreshnessPolicy {
  readonly maxLagMs: number;
  /** As written (`26h`), for messages and the API. */
  readonly maxLag: string;
}

const unitMs: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A lag like `30m`, `26h`, `2d`, or parts of them together (`1d2h`). Minutes are the smallest
 * unit: the check runs about once a minute, so seconds would promise more than it keeps.
 * @returns the lag in ms, or undefined when `text` is not one.
 */
export function parseLag(text: string): number | undefined {
  if (!/^(\d+[dhm])+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhm])/g)) ms += Number(amount) * (unitMs[unit ?? ""] ?? 0);
  return ms > 0 ? ms : undefined;
}

/** `freshness: {max_lag: 26h}` on `assets[i]`; a missing or malformed lag is refused naming the key. */
export function parseFreshness(file: YamlFile, at: (string | number)[], value: unknown): FreshnessPolicy {
  const where = formatKeyPath(at);
  if (!isMapping(value)) throw file.error(at, `${where} must be {max_lag: 26h}`);
  rejectUnknownKeys(file, at, value, ["max_lag"]);
  const lagAt = [...at, "max_lag"];
  const raw = value.max_lag;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  const maxLagMs = text === undefined ? undefined : parseLag(text);
  if (text === undefined || maxLagMs === undefined) {
    throw file.error(
      lagAt,
      `${formatKeyPath(lagAt)} must be a duration above zero like 30m, 26h or 2d, got ${JSON.stringify(raw ?? null)}`,
    );
  }
  return Object.freeze({ maxLagMs, maxLag: text });
}
