import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of fixture project `name` under test/fixtures. */
export function fixture(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);
}

/**
 * A throwaway copy of fixture `name` with `files` (path → text) written over it, for the many
 * small variants of one project that error tests need. Call `remove` when done.
 */
export async function fixtureVariant(
  name: string,
  files: Record<string, string>,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `almanac-project-${name}-`));
  await cp(fixture(name), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
