import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";

import { freePort } from "@almanac/testing";
import { Redis } from "ioredis";
import type { QueueLogger } from "../src/index.js";

/** The shared test Redis; `ALMANAC_TEST_REDIS_URL` points elsewhere. */
export const testRedisUrl = process.env.ALMANAC_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A queue prefix of its own per test file (BullMQ's suite does the same), so files never meet. */
export function randomPrefix(): string {
  return `almanac-test-${randomBytes(5).toString("hex")}`;
}

/** Deletes every key under `prefix`, so a test file leaves Redis as it found it. */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

export interface RedisServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGKILLs the server (a crash, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * A `redis-server` of the test's own on a free port, with no persistence, for tests that need
 * a server with other settings or one they may kill.
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    const up = await probe
      .connect()
      .then(() => true)
      .catch(() => false);
    probe.disconnect();
    if (up) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    process: child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export interface LogLine {
  readonly level: "info" | "warn" | "error" | "debug";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps what it is given, for assertions. */
export function recordingLogger(): QueueLogger & { debug: QueueLogger["info"]; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}

export { freePort };
