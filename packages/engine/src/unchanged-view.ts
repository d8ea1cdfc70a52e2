import { type Project, relationOf, type Target } from "@almanac/project";
import { getAssetPartition, type StoreDb } from "@almanac/store";
import { relationExists } from "@almanac/warehouse";
import type pg from "pg";

/**
 * A view whose SQL has not changed since it was last built need not be rebuilt (DESIGN §3.7):
 * it still stands, its code version matches, and its last build succeeded. Skipping it also
 * keeps its materialization time, so models downstream do not turn stale for nothing.
 */
export async function isUnchangedView(
  db: StoreDb,
  warehouse: pg.Pool,
  project: Project,
  target: Target,
  assetKey: string,
  codeVersion: string,
): Promise<boolean> {
  if (project.models.get(assetKey)?.config.materialized !== "view") return false;
  const last = await getAssetPartition(db, assetKey, "");
  const lastBuild = last?.materializedAt;
  if (!last || !lastBuild || last.codeVersion !== codeVersion) return false;
  if (last.failedAt && last.failedAt > lastBuild) return false;
  return relationExists(warehouse, relationOf(project, assetKey, target));
}
