// Runs the fault suite (test/fault/**/*.fault.test.ts): real `almanac serve` and `almanac worker`
// processes, a redis-server per scenario, Postgres, and faults injected into them. Needs the
// built CLI (`npm run build`), `redis-server` on PATH (and `redis-cli`, which joins the Redis
// Cluster scenarios' nodes), and for the Postgres-restart scenario the Postgres server binaries.
// One scenario at a time: each starts several processes, and timing faults on a loaded 2-core
// machine would measure the machine, not Almanac.
//
//   node scripts/run-fault-tests.mjs [path-filter ...]
import { spawnSync } from "node:child_process";
import { glob } from "tinyglobby";

const filters = process.argv.slice(2);
const files = (await glob(["test/fault/**/*.fault.test.ts"], { ignore: ["**/node_modules/**"] }))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no fault test files match ${filters.join(" ") || "test/fault/**/*.fault.test.ts"}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=600000", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
