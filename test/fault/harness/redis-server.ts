import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@almanac/testing";
import { Redis } from "ioredis";

/** A `redis-server` of the test's own, on a free port, with its data in a temp folder. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Starts it again (same port, same folder) after `stop` or `kill`; `aof` as at start unless given. */
  start(options?: { aof?: boolean }): Promise<void>;
  /** `SHUTDOWN` as an operator would (SIGTERM): with AOF on, everything written is kept. */
  stop(): Promise<void>;
  /** SIGKILL: whatever was not yet on disk is gone. */
  kill(): Promise<void>;
  /** `FLUSHALL`: every job, lock and scheduler gone while the processes stay connected. */
  flush(): Promise<void>;
  /** Keys under `prefix` (to show the data really went, or stayed). */
  keyCount(prefix: string): Promise<number>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts `redis-server` (must be on PATH) with `noeviction`, as Almanac requires, and AOF on or
 * off. Nothing else shares it, so a test may stop, kill or flush it.
 */
export async function startTestRedis(options: {
  aof: boolean;
  /** Addresses to listen on besides 127.0.0.1 (the service side of network hosts' links). */
  bind?: readonly string[];
  /** More `redis-server` arguments (a cluster node's `--cluster-enabled yes`, say). */
  args?: readonly string[];
}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-fault-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let aof = options.aof;
  let child: ChildProcess | undefined;

  const start = async (startOptions: { aof?: boolean } = {}) => {
    aof = startOptions.aof ?? aof;
    const bind = ["127.0.0.1", ...(options.bind ?? [])].join(" ");
    // Protected mode refuses non-loopback clients unless Redis has a password; this one is the test's own.
    const args = ["--port", String(port), "--bind", bind, "--protected-mode", "no", "--dir", dir, "--save", ""];
    args.push("--appendonly", aof ? "yes" : "no", "--appendfsync", "always", "--maxmemory-policy", "noeviction");
    args.push(...(options.args ?? []));
    child = spawn("redis-server", args, { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await ping(url)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const end = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = once(current, "exit");
    current.kill(signal);
    await exited;
  };
  const withClient = async <T>(work: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  };

  await start();
  return {
    url,
    port,
    start,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    flush: () => withClient((redis) => redis.flushall().then(() => undefined)),
    keyCount: (prefix) => withClient(async (redis) => (await redis.keys(`${prefix}:*`)).length),
    async close() {
      await end("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
