/**
 * Where `REDIS_URL` points: one Redis (`redis://host:port/db`, `rediss://…`), a master found
 * through Redis Sentinel, `redis-sentinel://host1:26379,host2:26379/<master name>`, or a Redis
 * Cluster, `redis-cluster://host1:6379,host2:6379,host3:6379`. With Sentinel, ioredis asks the
 * sentinels for the current primary and reconnects to the new one after a failover, so the
 * server and workers follow a promoted replica without a restart. With Cluster, the hosts are
 * seed nodes: ioredis reads the slot map from any of them and sends each command to the node
 * that owns its key's slot, following MOVED/ASK redirections after a failover or resharding.
 */
import { AlmanacError } from "@almanac/errors";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { QueueSettings } from "./types.js";

const sentinelScheme = "redis-sentinel://";
const clusterScheme = "redis-cluster://";

/** A connection Almanac opens: to one Redis (directly or through Sentinel) or to a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** A host and port of a comma-separated list in a Sentinel or Cluster URL. */
interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** True when `redisUrl` names a Redis Cluster (`redis-cluster://…`). */
export function isClusterUrl(redisUrl: string): boolean {
  return redisUrl.startsWith(clusterScheme);
}

/**
 * Checks a Sentinel or Cluster URL without connecting, so that a typo fails at start-up in one
 * line rather than at the first enqueue. Other URLs are left to ioredis, as before.
 *
 * @throws AlmanacError `ALMANAC_BAD_REQUEST` naming `REDIS_URL` and the expected shape.
 */
export function assertRedisUrl(redisUrl: string): void {
  if (redisUrl.startsWith(sentinelScheme)) sentinelOptions(redisUrl);
  else if (isClusterUrl(redisUrl)) clusterNodes(redisUrl);
}

/**
 * A connection to the Redis `redisUrl` names, with `options` on top. For a cluster the options
 * are split the way ioredis wants them: `enableOfflineQueue`, `lazyConnect` and the reconnect
 * strategy (as `clusterRetryStrategy`) apply to the cluster client, everything else (timeouts,
 * `maxRetriesPerRequest`, which BullMQ checks there) to each node's connection.
 */
export function connectRedis(redisUrl: string, options: RedisOptions): RedisConnection {
  if (redisUrl.startsWith(sentinelScheme)) return new Redis({ ...sentinelOptions(redisUrl), ...options });
  if (!isClusterUrl(redisUrl)) return new Redis(redisUrl, options);
  const { enableOfflineQueue, lazyConnect, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = { redisOptions: perNode, enableOfflineQueue, lazyConnect };
  if (retryStrategy) clusterOptions.clusterRetryStrategy = retryStrategy;
  return new Cluster(clusterNodes(redisUrl) as HostPort[], clusterOptions);
}

/**
 * The BullMQ key prefix the queues use. On a cluster, BullMQ's Lua scripts touch several keys
 * of a queue in one call, and Redis Cluster refuses a script whose keys hash to different
 * slots (CROSSSLOT). A hash tag makes Redis hash only the part in braces, so the prefix is
 * wrapped in one (`almanac` → `{almanac}`) unless it already holds a tag: every key of both
 * queues (`{almanac}:runs:*`, `{almanac}:schedules:*`) then lives in one slot, on one node.
 * On a single Redis the prefix is used as given, so existing queues keep their keys.
 */
export function queuePrefix(settings: QueueSettings): string {
  if (!isClusterUrl(settings.redisUrl) || hasHashTag(settings.prefix)) return settings.prefix;
  return `{${settings.prefix}}`;
}

/** Redis's rule: the first `{` and the first `}` after it, with at least one character between. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf("{");
  return open >= 0 && prefix.indexOf("}", open + 1) > open + 1;
}

/** `redis-sentinel://h1:26379,h2/almanac` → the sentinels and the master's name. */
export function sentinelOptions(redisUrl: string): Pick<RedisOptions, "sentinels" | "name"> {
  const rest = redisUrl.slice(sentinelScheme.length);
  const slash = rest.indexOf("/");
  const name = slash < 0 ? "" : decodeURIComponent(rest.slice(slash + 1));
  const sentinels = hostList(slash < 0 ? rest : rest.slice(0, slash), 26379);
  if (sentinels === undefined || name === "") {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `REDIS_URL ${redisUrl} is not redis-sentinel://host:port[,host:port…]/<master name> (e.g. redis-sentinel://10.0.0.5:26379/almanac)`,
    );
  }
  return { sentinels: [...sentinels], name };
}

/** `redis-cluster://h1:6379,h2:6380,h3` → the seed nodes (port 6379 when not given). */
export function clusterNodes(redisUrl: string): readonly HostPort[] {
  const nodes = hostList(redisUrl.slice(clusterScheme.length), 6379);
  if (nodes === undefined) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `REDIS_URL ${redisUrl} is not redis-cluster://host:port[,host:port…] (seed nodes of the cluster, e.g. redis-cluster://10.0.0.5:6379,10.0.0.6:6379)`,
    );
  }
  return nodes;
}

/** `h1:1,h2` → hosts and ports, `defaultPort` where none is given; undefined when empty or malformed. */
function hostList(text: string, defaultPort: number): readonly HostPort[] | undefined {
  const hosts = text.split(",").filter((host) => host !== "");
  const list = hosts.map((host) => {
    const colon = host.lastIndexOf(":");
    return colon < 0
      ? { host, port: defaultPort }
      : { host: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
  });
  const valid = (h: HostPort) => h.host !== "" && !/[/@?#]/.test(h.host) && Number.isInteger(h.port) && h.port > 0;
  return list.length > 0 && list.every((h) => valid(h) && h.port < 65536) ? list : undefined;
}
