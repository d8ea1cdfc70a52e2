import { Cluster, type Redis } from "ioredis";
import type { QueueLogger } from "./queue-logger.js";
import type { RedisConnection } from "./redis-target.js";

/**
 * Logs a warning unless Redis runs with `maxmemory-policy noeviction`. Under any other policy
 * Redis deletes keys when memory runs short, and an evicted BullMQ key is a lost or corrupted
 * job (BullMQ's own production checklist says the same). Reads `CONFIG GET`, falling back to
 * `INFO memory` on servers that refuse CONFIG (managed Redis often does). Never throws.
 *
 * On a Redis Cluster, CONFIG is per node and a keyless command reaches a random one, so every
 * node the client knows (masters and replicas: a replica promoted later holds the queue then)
 * is asked, and each evicting node is warned about by address.
 *
 * @returns the policy (on a cluster, the first node's that is not `noeviction`, else
 *   `noeviction`), or undefined when it could not be read (Redis unreachable, or both
 *   commands refused — the latter is logged too).
 */
export async function warnIfEvicting(connection: RedisConnection, logger: QueueLogger): Promise<string | undefined> {
  if (!(connection instanceof Cluster)) return warnIfNodeEvicts(connection, logger, {});
  let result: string | undefined = "noeviction";
  for (const node of connection.nodes("all")) {
    const fields = { redisNode: `${node.options.host}:${node.options.port}` };
    const policy = await warnIfNodeEvicts(node, logger, fields);
    if (policy === undefined) result = undefined;
    else if (policy !== "noeviction" && result === "noeviction") result = policy;
  }
  return result;
}

async function warnIfNodeEvicts(
  connection: Redis,
  logger: QueueLogger,
  fields: Record<string, string>,
): Promise<string | undefined> {
  const where = fields.redisNode ? ` on node ${fields.redisNode}` : "";
  let policy: string | undefined;
  try {
    policy = await readMaxmemoryPolicy(connection);
  } catch {
    // Redis unreachable: the connection's error listener reports that; nothing to add here.
    return undefined;
  }
  if (policy === undefined) {
    logger.warn(
      fields,
      `could not read Redis maxmemory-policy${where} (CONFIG and INFO refused): make sure it is noeviction, or evicted keys will lose jobs`,
    );
  } else if (policy !== "noeviction") {
    logger.warn(
      { ...fields, maxmemoryPolicy: policy },
      `Redis maxmemory-policy is ${policy}${where}: under memory pressure Redis will evict queue keys and lose jobs ` +
        "(Postgres keeps the runs, the reconciler re-enqueues them late). Set maxmemory-policy noeviction.",
    );
  }
  return policy;
}

/** Undefined when the server refused both commands; throws when Redis could not be reached. */
async function readMaxmemoryPolicy(connection: Redis): Promise<string | undefined> {
  try {
    const reply: unknown = await connection.config("GET", "maxmemory-policy");
    const value = Array.isArray(reply) ? reply[1] : (reply as Record<string, unknown> | null)?.["maxmemory-policy"];
    if (typeof value === "string") return value;
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  try {
    const info = await connection.info("memory");
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  } catch (error) {
    if (!isRefusal(error)) throw error;
    return undefined;
  }
}

/** The server answered with an error (unknown or forbidden command), as opposed to no answer. */
function isRefusal(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}
