import type { AlmanacEnv } from "../config.js";
import { materializeCommand } from "./materialize.js";

/**
 * The selector `almanac snapshot` runs: each term of the user's selection (default every
 * snapshot) intersected with `config.materialized:snapshot`, so `almanac snapshot +orders`
 * runs the snapshots upstream of orders and nothing else, as `dbt snapshot --select` does.
 */
export function snapshotSelector(terms: readonly string[]): string {
  const selected = terms.flatMap((term) => term.trim().split(/\s+/)).filter(Boolean);
  return (selected.length === 0 ? ["*"] : selected).map((term) => `${term},config.materialized:snapshot`).join(" ");
}

/**
 * `almanac snapshot [selection...]`: run the selected snapshots (all of them by default) in
 * this process, each in one transaction, recorded like any unpartitioned asset.
 */
export function snapshotCommand(env: AlmanacEnv, projectDir: string, terms: readonly string[]): Promise<number> {
  return materializeCommand(env, projectDir, snapshotSelector(terms), {});
}
