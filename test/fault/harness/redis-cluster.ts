import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { startTestRedis, type TestRedis } from "./redis-server.js";

/**
 * How long a node may be silent before the others mark it failed. Redis's default is 15 s; 2 s
 * makes a killed node show up as `cluster_state:fail` (CLUSTERDOWN for every client) quickly.
 */
const nodeTimeoutMs = 2_000;

/** Three `redis-server --cluster-enabled yes` masters of the test's own, the 16 384 slots split among them. */
export interface RedisCluster {
  /** `redis-cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>`, for REDIS_URL. */
  readonly url: string;
  readonly nodes: readonly TestRedis[];
  /** The slot Redis hashes `key` to (`CLUSTER KEYSLOT`: only the hash tag, if there is one). */
  keySlot(key: string): Promise<number>;
  /** The node that owns `key`'s slot now. */
  ownerOf(key: string): Promise<TestRedis>;
  /** Every key matching `pattern` on every node, with its slot and the port of the node holding it. */
  keys(pattern: string): Promise<{ key: string; slot: number; port: number }[]>;
  /** Waits until every running node reports `cluster_state:<state>`. */
  waitForState(state: "ok" | "fail", timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts three nodes (AOF with `appendfsync always`, `noeviction`, each with its own
 * `nodes.conf` in its folder, so a killed node restarted on its port rejoins with its id and
 * slots) and joins them with `redis-cli --cluster create … --cluster-replicas 0`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"];
  args.push("--cluster-node-timeout", String(nodeTimeoutMs));
  const nodes: TestRedis[] = [];
  const closeAll = () => Promise.all(nodes.map((node) => node.close()));
  try {
    const started = await Promise.allSettled([0, 1, 2].map(() => startTestRedis({ aof: true, args })));
    for (const node of started) if (node.status === "fulfilled") nodes.push(node.value);
    const failed = started.find((node) => node.status === "rejected");
    if (failed) throw failed.reason;
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await promisify(execFile)(
      "redis-cli",
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      { timeout: 30_000 },
    );
  } catch (error) {
    await closeAll();
    throw error;
  }

  const onNode = async <T>(node: TestRedis, work: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  };
  const stateOf = (node: TestRedis) =>
    onNode(node, async (r) => /^cluster_state:(\w+)/m.exec(await r.cluster("INFO"))?.[1]).catch(() => undefined);
  const anyNode = async <T>(work: (redis: Redis) => Promise<T>): Promise<T> => {
    let lastError: unknown;
    for (const node of nodes) {
      try {
        return await onNode(node, work);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };
  const keySlot = (key: string) => anyNode((r) => r.cluster("KEYSLOT", key));

  const cluster: RedisCluster = {
    url: `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(",")}`,
    nodes,
    keySlot,
    async ownerOf(key) {
      const slot = await keySlot(key);
      const ranges = await anyNode((r) => r.cluster("SLOTS"));
      // Each range is [first slot, last slot, [host, port, id] of its master, …replicas].
      const port = ranges.find(([from, to]) => from <= slot && slot <= to)?.[2]?.[1];
      const owner = nodes.find((node) => node.port === port);
      if (!owner) throw new Error(`no node owns slot ${slot} (CLUSTER SLOTS: ${JSON.stringify(ranges)})`);
      return owner;
    },
    async keys(pattern) {
      const found: { key: string; slot: number; port: number }[] = [];
      for (const node of nodes) {
        const keys = await onNode(node, (r) => r.keys(pattern));
        for (const key of keys) found.push({ key, slot: await keySlot(key), port: node.port });
      }
      return found;
    },
    async waitForState(state, timeoutMs = 30_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
        const states = await Promise.all(nodes.map(stateOf));
        // A stopped node answers nothing; the running ones must agree.
        const answered = states.filter((s) => s !== undefined);
        if (answered.length > 0 && answered.every((s) => s === state)) return;
      }
      throw new Error(`redis cluster: not cluster_state:${state} within ${timeoutMs} ms`);
    },
    close: async () => {
      await closeAll();
    },
  };
  await cluster.waitForState("ok");
  return cluster;
}
