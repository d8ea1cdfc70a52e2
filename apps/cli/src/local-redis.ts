import { execFileSync, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AlmanacError } from "@almanac/errors";

/** Port of the local Redis; `ALMANAC_LOCAL_REDIS_PORT` overrides. */
const port = Number(process.env.ALMANAC_LOCAL_REDIS_PORT ?? 56379);

/**
 * Without `REDIS_URL`, Almanac starts a `redis-server` of its own under `<home>/redis`
 * (DESIGN §6), configured as BullMQ needs it: `noeviction` (an evicted key is a lost job) and
 * AOF on (queued work survives a restart). It runs detached and is reused by later commands;
 * `almanac db stop` stops it. Returns the connection string.
 */
export async function startLocalRedis(home: string): Promise<string> {
  const url = `redis://127.0.0.1:${port}`;
  if (await answers()) return url;
  const binary = findRedisServer();
  const dir = path.join(home, "redis");
  await mkdir(dir, { recursive: true });
  process.stderr.write(`REDIS_URL is not set: starting a local redis-server on port ${port} (data in ${dir})\n`);
  const child = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
      "--pidfile",
      path.join(dir, "redis.pid"),
      "--logfile",
      path.join(dir, "redis.log"),
    ],
    { detached: true, stdio: "ignore" },
  );
  child.unref();
  for (let i = 0; i < 50; i++) {
    if (await answers()) return url;
    await sleep(100);
  }
  throw new AlmanacError(
    "ALMANAC_STORE_UNAVAILABLE",
    `the local redis-server did not start; see ${path.join(dir, "redis.log")}`,
  );
}

/** Stops the local Redis if it runs; returns whether it did. */
export async function stopLocalRedis(): Promise<boolean> {
  if (!(await answers())) return false;
  await new Promise<void>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end("SHUTDOWN\r\n"));
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
  return true;
}

function findRedisServer(): string {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim();
  } catch {
    throw new AlmanacError(
      "ALMANAC_STORE_UNAVAILABLE",
      "REDIS_URL is not set and no redis-server is installed. Install Redis 6.2+ (Debian/Ubuntu: " +
        "`apt-get install redis-server`; macOS: `brew install redis`) or start one with " +
        "`docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379",
    );
  }
}

/** Whether something answers PING on the port. */
function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.destroy();
    });
    socket.on("timeout", () => {
      resolve(false);
      socket.destroy();
    });
    socket.on("error", () => resolve(false));
  });
}
