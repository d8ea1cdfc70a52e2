import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** The example projects. */
export const examplesDir = path.join(repoRoot, "examples");

/**
 * A throwaway copy of a project, for tests that edit its files: an example's name, or the
 * absolute path of a test fixture.
 */
export async function copyProject(nameOrDir: string): Promise<string> {
  const source = path.isAbsolute(nameOrDir) ? nameOrDir : path.join(examplesDir, nameOrDir);
  const dir = await mkdtemp(path.join(tmpdir(), `almanac-${path.basename(source)}-`));
  await cp(source, dir, {
    recursive: true,
    filter: (source) => !source.includes("node_modules"),
  });
  return dir;
}

/**
 * A project written from `files` (path relative to the project → text) into a new temporary
 * folder named after `name`; returns the folder.
 */
export async function writeProject(name: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `almanac-${name}-`));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** Replaces text in a file of a copied project; fails loudly when the text is not there. */
export async function editFile(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}
