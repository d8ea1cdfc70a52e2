import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";
import { formatDuration, formatInstant, formatNumber, formatRelative } from "./format.js";

/**
 * The folder next to this file, or, when running the compiled `dist/web`, the one in `src/web`:
 * templates and static files are not copied by `tsc`.
 */
export function webAssetDir(name: "templates" | "static"): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, name), path.resolve(here, "../../src/web", name)];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`web ${name} not found in ${candidates.join(" or ")}`);
  return found;
}

/** Nunjucks over `templates/`, autoescaping everything; templates are compiled once and cached. */
export function createTemplates(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(webAssetDir("templates"), { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addFilter("duration", formatDuration);
  env.addFilter("instant", formatInstant);
  env.addFilter("relative", formatRelative);
  env.addFilter("number", formatNumber);
  return env;
}
