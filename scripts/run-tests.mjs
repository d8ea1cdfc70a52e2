// Runs every test file of the monorepo in one `node --test` invocation, so CI reads one
// summary. Test files import workspace packages through the "source" export condition,
// so tests run against the TypeScript sources (tsx) without waiting on a build.
//
//   node scripts/run-tests.mjs [path-filter ...]
import { spawnSync } from "node:child_process";
import { glob } from "tinyglobby";

const patterns = [
  "packages/*/src/**/*.test.ts",
  "packages/*/test/**/*.test.ts",
  "apps/*/src/**/*.test.ts",
  "apps/*/test/**/*.test.ts",
  "examples/*/test/**/*.test.ts",
  // Repo-level checks (docker-compose.yml).
  "test/*.test.ts",
];
const filters = process.argv.slice(2);
const files = (await glob(patterns, { ignore: ["**/node_modules/**", "**/*.fault.test.ts"] }))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ") || "the default patterns"}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=300000", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
