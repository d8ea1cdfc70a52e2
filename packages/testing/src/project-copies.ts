import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** The example projects. */
export const examplesDir = path.join(repoRoot, "examples");

/** A throwaway copy of an example project, for tests that edit its models. */
export async function copyProject(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `almanac-${name}-`));
  await cp(path.join(examplesDir, name), dir, {
    recursive: true,
    filter: (source) => !source.includes("node_modules"),
  });
  return dir;
}

/** Replaces text in a file of a copied project; fails loudly when the text is not there. */
export async function editFile(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}
