// A worker process for tests that signal or kill it: `node --conditions=source --import tsx
// worker-process.ts`, configured by DATABASE_URL, ALMANAC_PROJECT_DIR, REDIS_URL,
// ALMANAC_QUEUE_PREFIX and SHUTDOWN_DEADLINE_MS.
import { loadProject } from "@almanac/project";
import pg from "pg";
import pino from "pino";
import { installShutdown, startWorker } from "../src/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const pool = new pg.Pool({ connectionString: env("DATABASE_URL"), max: 4 });
pool.on("error", () => undefined);
const logger = pino({ level: "info" }, pino.destination(2));
const worker = await startWorker({
  ctx: {
    project: await loadProject(env("ALMANAC_PROJECT_DIR")),
    target: { name: "test", schema: "public", type: "postgres" },
    warehouse: pool,
    store: pool,
    sharedTransaction: true,
  },
  queue: { redisUrl: env("REDIS_URL"), prefix: env("ALMANAC_QUEUE_PREFIX") },
  concurrency: 2,
  logger,
  workerId: "child",
});
installShutdown(worker, logger, Number(env("SHUTDOWN_DEADLINE_MS")));
