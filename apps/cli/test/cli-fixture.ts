import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, repoRoot } from "@almanac/testing";

/** The built `almanac` command (tests run after `npm run build`). */
export const bin = path.join(repoRoot, "apps/cli/bin/almanac.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `almanac` command the way a user's shell would, with only `env` set. */
export function runAlmanac(env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, NO_COLOR: "1", ...env }, cwd: repoRoot, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface RunningServices {
  /** `http://127.0.0.1:<port>` of the (first) server. */
  readonly base: string;
  /** Every server's, in the order of `commands` (several `serve`s each get a port). */
  readonly bases: readonly string[];
  /** The environment both processes got (for more CLI calls against the same services). */
  readonly env: Record<string, string | undefined>;
  /** SIGTERM to both processes, resolved once they exited. */
  stop(): Promise<void>;
  /**
   * Sends `signal` to the (first) process of `command` (`serve`, `worker`), resolved once it
   * exited: `kill -9` for fault tests.
   */
  kill(command: string, signal: NodeJS.Signals): Promise<void>;
}

/**
 * `almanac serve` and `almanac worker` as separate processes, as production runs them (or the
 * `commands` given, e.g. `["dev"]`), on the test's database, the local Redis under a fresh
 * queue prefix, and a free port. Resolves once `/api/health` answers.
 */
export async function startServices(options: {
  databaseUrl: string;
  projectDir: string;
  apiToken: string;
  /** Default `["serve", "worker"]`; `["serve", "serve", "worker"]` runs two servers. */
  commands?: readonly string[];
  /** More environment for every process (e.g. `ALMANAC_METRICS_PORT`). */
  env?: Readonly<Record<string, string>>;
}): Promise<RunningServices> {
  const commands = options.commands ?? ["serve", "worker"];
  const ports: number[] = [];
  for (const command of commands) if (command === "serve" || command === "dev") ports.push(await freePort());
  const bases = ports.map((port) => `http://127.0.0.1:${port}`);
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    ALMANAC_QUEUE_PREFIX: `almanac_e2e_${randomBytes(5).toString("hex")}`,
    ALMANAC_PROJECT_DIR: options.projectDir,
    ALMANAC_API_TOKEN: options.apiToken,
    ALMANAC_WORKER_CONCURRENCY: "2",
    PORT: String(ports[0]),
    ...options.env,
  };
  let served = 0;
  const processes: ChildProcess[] = commands.map((command) => {
    const port = command === "serve" || command === "dev" ? ports[served++] : ports[0];
    return spawn(process.execPath, [bin, command], { env: { ...env, PORT: String(port) }, stdio: "ignore" });
  });
  const exited = (child: ChildProcess) =>
    child.exitCode === null && child.signalCode === null
      ? new Promise((resolve) => child.once("exit", resolve))
      : Promise.resolve();
  const stop = async () => {
    const exits = processes.map(exited);
    for (const child of processes) child.kill("SIGTERM");
    await Promise.all(exits);
  };
  const kill = async (command: string, signal: NodeJS.Signals) => {
    const child = processes[commands.indexOf(command)];
    if (!child) throw new Error(`no ${command} process was started`);
    const exit = exited(child);
    child.kill(signal);
    await exit;
  };
  // 30 s: on a loaded 2-core machine a server with tracing has taken more than 10 to come up.
  const up = async (url: string) => {
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return true;
      await sleep(100);
    }
    return false;
  };
  if ((await Promise.all(bases.map(up))).every(Boolean)) return { base: bases[0] as string, bases, env, stop, kill };
  await stop();
  throw new Error("the server did not come up");
}

/** What the REST API answered: the status and the JSON body. */
export interface ApiReply {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string; message?: string } };
}

/** The REST calls end-to-end tests make against running services, with the token they started with. */
export interface ApiClient {
  /** One request; the token goes along unless `auth` is false. */
  call(method: string, url: string, body?: unknown, auth?: boolean): Promise<ApiReply>;
  /** A request that must succeed (status below 300): its body. */
  ok(method: string, url: string, body?: unknown): Promise<ApiReply["body"]>;
  /** Polls a run until it succeeded, failed or was canceled. */
  waitForRun(runId: string): Promise<ApiReply["body"]>;
  /** Polls a backfill until it completed (with or without failures) or was canceled. */
  waitForBackfill(backfillId: string): Promise<ApiReply["body"]>;
}

export function apiClient(base: string, token: string): ApiClient {
  const call: ApiClient["call"] = async (method, url, body, auth = true) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as ApiReply["body"] };
  };
  const poll = async (url: string, done: readonly string[]) => {
    for (let i = 0; i < 600; i++) {
      const { body } = await call("GET", url);
      if (done.includes(String(body.status))) return body;
      await sleep(100);
    }
    throw new Error(`${url} did not finish within 60 s`);
  };
  return {
    call,
    async ok(method, url, body) {
      const reply = await call(method, url, body);
      if (reply.status >= 300) throw new Error(`${method} ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    },
    waitForRun: (runId) => poll(`/api/runs/${runId}`, ["succeeded", "failed", "canceled"]),
    waitForBackfill: (id) => poll(`/api/backfills/${id}`, ["completed", "completed_with_failures", "canceled"]),
  };
}
