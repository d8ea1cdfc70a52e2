/**
 * Where `REDIS_URL` points: one Redis (`redis://host:port/db`, `rediss://…`), or a master found
 * through Redis Sentinel, `redis-sentinel://host1:26379,host2:26379/<master name>`. With
 * Sentinel, ioredis asks the sentinels for the current primary and reconnects to the new one
 * after a failover, so the server and workers follow a promoted replica without a restart.
 */
import { Redis, type RedisOptions } from "ioredis";

const sentinelScheme = "redis-sentinel://";

/** A connection to the Redis `redisUrl` names, with `options` on top. */
export function connectRedis(redisUrl: string, options: RedisOptions): Redis {
  if (!redisUrl.startsWith(sentinelScheme)) return new Redis(redisUrl, options);
  return new Redis({ ...sentinelOptions(redisUrl), ...options });
}

/** `redis-sentinel://h1:26379,h2/almanac` → the sentinels and the master's name. */
export function sentinelOptions(redisUrl: string): Pick<RedisOptions, "sentinels" | "name"> {
  const rest = redisUrl.slice(sentinelScheme.length);
  const slash = rest.indexOf("/");
  const hosts = slash < 0 ? rest : rest.slice(0, slash);
  const name = slash < 0 ? "" : decodeURIComponent(rest.slice(slash + 1));
  const sentinels = hosts
    .split(",")
    .filter((host) => host !== "")
    .map((host) => {
      const colon = host.lastIndexOf(":");
      return colon < 0 ? { host, port: 26379 } : { host: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
    });
  if (sentinels.length === 0 || name === "" || sentinels.some((s) => !Number.isInteger(s.port) || s.port <= 0)) {
    throw new Error(
      `REDIS_URL ${redisUrl} is not redis-sentinel://host:port[,host:port…]/<master name> (e.g. redis-sentinel://10.0.0.5:26379/almanac)`,
    );
  }
  return { sentinels, name };
}
