import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { Redis } from "ioredis";
import { backfillThrough } from "./harness/backfill-through.js";
import { type FaultWorld, secondsSince, slowDailyMetrics, startFaultWorld } from "./harness/fault-world.js";
import { assertInvariants, referenceFingerprints } from "./harness/invariants.js";
import { type RedisCluster, startRedisCluster } from "./harness/redis-cluster.js";

// Scenario 3e: the queues on a three-node Redis Cluster (REDIS_URL=redis-cluster://h1,h2,h3).
// BullMQ's scripts touch several keys of a queue at once, which a cluster allows only within
// one slot: Almanac wraps the prefix in a hash tag ({prefix}), so every queue key lives on one
// node. 3e backfills through the cluster and checks where the keys went; 3f SIGKILLs the node
// that owns the queues' slot mid-backfill (no replicas: the slot is down until it is back) and
// starts it again on its own AOF and nodes.conf.
// A cluster per scenario (3e changes a node's policy, 3f kills one), both started while the
// reference is computed, to keep the file well under a minute.
let clusters: { e: RedisCluster; f: RedisCluster } | undefined;
let world: FaultWorld | undefined;
let reference: Record<string, string>;
before(async () => {
  const [days, e, f] = await Promise.allSettled([
    referenceFingerprints({ from: "2024-01-01", to: "2024-01-10", rowsPerDay: 300 }),
    startRedisCluster(),
    startRedisCluster(),
  ]);
  if (e.status === "fulfilled" && f.status === "fulfilled") clusters = { e: e.value, f: f.value };
  else await Promise.all([e, f].map((c) => (c.status === "fulfilled" ? c.value.close() : undefined)));
  for (const outcome of [days, e, f]) if (outcome.status === "rejected") throw outcome.reason;
  if (days.status === "fulfilled") reference = days.value;
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});
after(async () => {
  await world?.close();
  await clusters?.e.close();
  await clusters?.f.close();
});

/** The scenario's cluster (started in `before`). */
function clusterFor(scenario: "e" | "f"): RedisCluster {
  if (!clusters) throw new Error("the clusters did not start");
  return clusters[scenario];
}

test("scenario 3e: a backfill through a three-node Redis Cluster; every queue key in the prefix's one slot", async () => {
  const c = clusterFor("e");
  world = await startFaultWorld({ env: { REDIS_URL: c.url } });
  const w = world;
  // One node may evict keys: the worker's check must find it although CONFIG is per node.
  const evicting = c.nodes[2];
  assert.ok(evicting);
  const admin = new Redis(evicting.url);
  await admin.config("SET", "maxmemory-policy", "allkeys-lru");
  admin.disconnect();
  const started = performance.now();
  await w.startServer();
  const worker = w.startWorker();
  const health = await w.api("GET", "/api/health");
  assert.equal(health.status, 200, JSON.stringify(health.body));
  const posted = performance.now();
  const backfillId = await w.backfill();
  const done = await w.waitForBackfill(backfillId, 60_000);
  console.log(
    `scenario 3e: backfill of 10 days × every model (runs ${JSON.stringify(done.runs)}) through the cluster ` +
      `in ${secondsSince(posted)} s (${secondsSince(started)} s with the processes' start)`,
  );
  assert.equal(done.status, "completed");
  await assertInvariants(w.db, { backfillIds: [backfillId], reference, partitions: 10 });

  // The processes used the cluster, not the world's own Redis, and the hash-tagged prefix.
  assert.equal(await w.redis.keyCount(w.prefix), 0);
  const tagged = `{${w.prefix}}`;
  const keys = await c.keys(`${tagged}:*`);
  assert.ok(
    keys.some((k) => k.key.startsWith(`${tagged}:runs:`)),
    `run queue keys: ${keys.map((k) => k.key)}`,
  );
  const slot = await c.keySlot(w.prefix);
  const owner = await c.ownerOf(tagged);
  assert.deepEqual(new Set(keys.map((k) => k.slot)), new Set([slot]));
  assert.deepEqual(new Set(keys.map((k) => k.port)), new Set([owner.port]));
  assert.deepEqual(await c.keys(`${w.prefix}:*`), [], "no key under the untagged prefix");
  console.log(`scenario 3e: ${keys.length} queue keys, all in slot ${slot} on node ${owner.port}`);

  // The queue gauge and Bull Board read the queue through the cluster too.
  const metrics = await fetch(`${w.base}/metrics`).then((r) => r.text());
  assert.match(metrics, /^almanac_queue_jobs\{state="completed"\} [1-9]/m);
  const board = await w.api<{ queues: { name: string }[] }>("GET", "/admin/queues/api/queues");
  assert.equal(board.status, 200, JSON.stringify(board.body));
  assert.deepEqual(
    board.body.queues.map((q) => q.name),
    ["runs"],
  );
  const stats = await w.api("GET", "/admin/queues/api/redis/stats");
  assert.equal(stats.status, 200, JSON.stringify(stats.body));

  // Nothing else complained: the reconciler's job lookups, the schedule tick worker's blocking
  // fetch and every other Redis call of both processes worked on the cluster.
  for (const p of w.processes) {
    const errors = p
      .output()
      .split("\n")
      .filter((line) => /"level":(50|60)/.test(line));
    assert.deepEqual(errors, [], `${p.name} logged errors`);
  }
  const warning = `maxmemory-policy is allkeys-lru on node 127.0.0.1:${evicting.port}`;
  assert.ok(worker.output().includes(warning), `worker log lacks "${warning}":\n${worker.output().slice(-2000)}`);
  assert.equal(worker.output().split("maxmemory-policy is").length - 1, 1, "only the evicting node is named");
});

test("scenario 3f: the cluster node owning the queues' slot SIGKILLed mid-backfill and restarted", async () => {
  const c = clusterFor("f");
  world = await startFaultWorld({ env: { REDIS_URL: c.url }, editProject: (dir) => slowDailyMetrics(dir, 1) });
  await backfillThrough(world, "scenario 3f (Redis Cluster node killed and restarted)", reference, async (w) => {
    const owner = await c.ownerOf(`{${w.prefix}}`);
    const killed = performance.now();
    await owner.kill();
    // The others mark it failed after the node timeout: the whole cluster answers CLUSTERDOWN.
    await c.waitForState("fail", 15_000);
    // Health reads the queue's own key, so it goes down with the queue's node (a PING to a
    // random surviving node would still answer).
    const health = async () => (await w.api<{ redis: boolean }>("GET", "/api/health")).body.redis;
    await w.waitFor("health to report Redis down", async () => !(await health()), 10_000);
    const restarted = performance.now();
    await owner.start();
    await c.waitForState("ok", 30_000);
    await w.waitFor("health to report Redis back", health, 15_000);
    console.log(
      `scenario 3f: node ${owner.port} (owner of the queues' slot) down ${((restarted - killed) / 1000).toFixed(1)} s; ` +
        `health back ${secondsSince(restarted)} s after its restart`,
    );
  });
});
