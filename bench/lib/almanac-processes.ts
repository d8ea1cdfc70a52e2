import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, repoRoot } from "@almanac/testing";

/**
 * How the `almanac` command is started: the build (`apps/cli/bin/almanac.js`, what users run),
 * or with BENCH_FROM_SOURCE=1 the TypeScript sources through tsx (while developing a benchmark).
 */
function almanacCommand(): string[] {
  if (process.env.BENCH_FROM_SOURCE === "1") {
    return ["--conditions=source", "--import", "tsx", path.join(repoRoot, "apps/cli/src/main.ts")];
  }
  return [path.join(repoRoot, "apps/cli/bin/almanac.js")];
}

export interface AlmanacProcesses {
  /** `http://127.0.0.1:<port>` of the server. */
  readonly base: string;
  readonly server: ChildProcess;
  readonly worker: ChildProcess;
  /** SIGTERM to both, resolved once they exited. */
  stop(): Promise<void>;
}

export interface AlmanacProcessOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly projectDir: string;
  /** Runs a worker executes at once (ALMANAC_WORKER_CONCURRENCY). */
  readonly workerConcurrency?: number;
  /** Start only the server (the benchmark drives no runs). */
  readonly serverOnly?: boolean;
  readonly env?: Record<string, string>;
  /** Extra node flags for the worker (`--cpu-prof` when profiling). */
  readonly workerNodeArgs?: readonly string[];
  /** Extra node flags for the server (`--cpu-prof` when profiling status reads). */
  readonly serverNodeArgs?: readonly string[];
}

/** `almanac serve` and `almanac worker` as separate processes, as production runs them; resolves when healthy. */
export async function startAlmanac(options: AlmanacProcessOptions): Promise<AlmanacProcesses> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    ALMANAC_QUEUE_PREFIX: options.queuePrefix,
    ALMANAC_PROJECT_DIR: options.projectDir,
    ALMANAC_WORKER_CONCURRENCY: String(options.workerConcurrency ?? 2),
    ALMANAC_SCHEDULE_CATCHUP_DAYS: "0",
    // The benchmarks post many requests from one address.
    ALMANAC_RATE_LIMIT_PER_MINUTE: "1000000",
    PORT: String(port),
    ...options.env,
  };
  const start = (command: string, nodeArgs: readonly string[] = []) =>
    spawn(process.execPath, [...nodeArgs, ...almanacCommand(), command], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
  const server = start("serve", options.serverNodeArgs);
  const worker = options.serverOnly ? undefined : start("worker", options.workerNodeArgs);
  const children = [server, ...(worker ? [worker] : [])];
  const stop = async () => {
    const exits = children.map((child) =>
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once("exit", resolve))
        : Promise.resolve(),
    );
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exits);
  };
  for (let i = 0; i < 300; i++) {
    const healthy = await fetch(`${base}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { base, server, worker: worker ?? server, stop };
    await sleep(100);
  }
  await stop();
  throw new Error("almanac serve did not become healthy in 30 s");
}

/** POSTs JSON and returns the parsed answer; anything but 2xx is an error with the body. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface FinishedBackfill {
  readonly status: string;
  readonly counts: Record<string, number>;
  /** When the backfill's last run finished, as the server recorded it. */
  readonly finishedAt: string | null;
}

/**
 * Polls a backfill until it is no longer requested/running; returns its final state. Callers
 * time it by its recorded `finishedAt`, so the poll can be lazy: a poll computes the backfill's
 * progress, and polling fast would load the machine the benchmark measures.
 */
export async function waitForBackfill(base: string, backfillId: string, pollMs = 250): Promise<FinishedBackfill> {
  for (;;) {
    const backfill = await getJson<FinishedBackfill>(`${base}/api/backfills/${backfillId}`);
    if (backfill.status !== "requested" && backfill.status !== "running") return backfill;
    await sleep(pollMs);
  }
}

/** POSTs a backfill, waits for it, and returns the seconds from the request to its last run's end. */
export async function timeBackfill(base: string, body: Record<string, unknown>): Promise<number> {
  const started = Date.now();
  const { backfillId } = await postJson<{ backfillId: string }>(`${base}/api/backfills`, body);
  const done = await waitForBackfill(base, backfillId);
  if (done.status !== "completed") throw new Error(`backfill ended ${done.status}: ${JSON.stringify(done.counts)}`);
  if (done.finishedAt === null) throw new Error("a completed backfill without finishedAt");
  return (Date.parse(done.finishedAt) - started) / 1000;
}
