import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@almanac/testing";
import { Redis } from "ioredis";
import { startTestRedis, type TestRedis } from "./redis-server.js";

/** The master name the sentinel watches. */
const master = "almanac";

/** A primary, a replica of it and one Sentinel watching them, all the test's own. */
export interface SentinelRedis {
  /** `redis-sentinel://127.0.0.1:<port>/almanac`, for REDIS_URL. */
  readonly url: string;
  readonly primary: TestRedis;
  /** The port of the primary the sentinel names now. */
  currentPrimaryPort(): Promise<number>;
  /** Waits until the sentinel names the replica as primary (after the old one died). */
  waitForFailover(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a primary with AOF, a replica (`--replicaof`) synced to it, and a Sentinel with quorum
 * 1 that calls the primary down after 1 s of silence, so a killed primary is replaced within a
 * few seconds (`redis-server --sentinel`, the same binary Debian's redis-sentinel runs).
 */
export async function startSentinelRedis(): Promise<SentinelRedis> {
  const primary = await startTestRedis({ aof: true });
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-fault-sentinel-"));
  const replicaPort = await freePort();
  const sentinelPort = await freePort();
  const children: ChildProcess[] = [];
  const spawnRedis = (args: string[]) => {
    const child = spawn("redis-server", args, { stdio: "ignore" });
    children.push(child);
    return child;
  };
  spawnRedis([
    ...["--port", String(replicaPort), "--bind", "127.0.0.1", "--protected-mode", "no", "--dir", dir],
    ...["--replicaof", "127.0.0.1", String(primary.port), "--appendonly", "yes", "--appendfsync", "always"],
    ...["--appendfilename", "replica.aof", "--save", "", "--maxmemory-policy", "noeviction"],
  ]);
  const config = path.join(dir, "sentinel.conf");
  await writeFile(
    config,
    [
      `port ${sentinelPort}`,
      "bind 127.0.0.1",
      "protected-mode no",
      `dir ${dir}`,
      `sentinel monitor ${master} 127.0.0.1 ${primary.port} 1`,
      `sentinel down-after-milliseconds ${master} 1000`,
      `sentinel failover-timeout ${master} 5000`,
      "",
    ].join("\n"),
  );
  spawnRedis([config, "--sentinel"]);

  const ask = async <T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T | undefined> => {
    const redis = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } catch {
      return undefined;
    } finally {
      redis.disconnect();
    }
  };
  const currentPrimaryPort = async () => {
    const addr = await ask(
      sentinelPort,
      (r) => r.call("SENTINEL", "get-master-addr-by-name", master) as Promise<string[]>,
    );
    return Number(addr?.[1] ?? Number.NaN);
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
    for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
      if (await check()) return;
    }
    throw new Error(`sentinel setup: ${what} within ${timeoutMs} ms`);
  };
  await until(
    "the replica synced",
    async () => ((await ask(replicaPort, (r) => r.info("replication"))) ?? "").includes("master_link_status:up"),
    15_000,
  );
  await until("the sentinel answered", async () => (await currentPrimaryPort()) === primary.port, 15_000);
  // A sentinel learns of replicas from the primary's INFO, every 10 s: until it has, a dead
  // primary has nobody to be replaced by (CI once killed it that early, and nothing was promoted).
  await until(
    "the sentinel found the replica",
    async () => {
      const replicas = await ask(sentinelPort, (r) => r.call("SENTINEL", "replicas", master) as Promise<string[][]>);
      return (replicas ?? []).some((fields) => {
        const info = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), String(fields[i + 1]));
        return info.get("port") === String(replicaPort) && info.get("flags") === "slave";
      });
    },
    30_000,
  );

  return {
    url: `redis-sentinel://127.0.0.1:${sentinelPort}/${master}`,
    primary,
    currentPrimaryPort,
    // A sentinel that finds its timer jumping (a loaded machine) enters TILT mode for 30 s and
    // acts on nothing meanwhile: allow for one TILT before the failover.
    async waitForFailover(timeoutMs = 90_000) {
      await until("the replica was promoted", async () => (await currentPrimaryPort()) === replicaPort, timeoutMs);
      return replicaPort;
    },
    async close() {
      for (const child of children) {
        if (child.exitCode === null) {
          const exited = once(child, "exit");
          child.kill("SIGKILL");
          await exited;
        }
      }
      await primary.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
