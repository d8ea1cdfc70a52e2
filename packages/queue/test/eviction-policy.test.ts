import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { warnIfEvicting } from "../src/index.js";
import { type RedisServer, recordingLogger, startRedisServer, testRedisUrl } from "./redis-fixtures.js";

describe("warnIfEvicting", () => {
  let lru: RedisServer;
  let noConfig: RedisServer;
  before(async () => {
    [lru, noConfig] = await Promise.all([
      startRedisServer(["--maxmemory-policy", "allkeys-lru"]),
      // Managed Redis services often disable CONFIG; INFO still tells the policy.
      startRedisServer(["--maxmemory-policy", "volatile-ttl", "--rename-command", "CONFIG", ""]),
    ]);
  });
  after(async () => {
    await Promise.all([lru?.kill(), noConfig?.kill()]);
  });

  const check = async (url: string) => {
    const logger = recordingLogger();
    const connection = new Redis(url);
    try {
      return {
        policy: await warnIfEvicting(connection, logger),
        warnings: logger.lines.filter((l) => l.level === "warn"),
      };
    } finally {
      await connection.quit();
    }
  };

  test("warns when Redis may evict keys", async () => {
    const { policy, warnings } = await check(lru.url);
    assert.equal(policy, "allkeys-lru");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? "", /allkeys-lru.*noeviction/);
  });

  test("reads the policy from INFO when the server refuses CONFIG", async () => {
    const { policy, warnings } = await check(noConfig.url);
    assert.equal(policy, "volatile-ttl");
    assert.equal(warnings.length, 1);
  });

  test("stays quiet for noeviction", async (t) => {
    const probe = new Redis(testRedisUrl);
    const reply = await probe.config("GET", "maxmemory-policy");
    await probe.quit();
    if (reply[1] !== "noeviction") return t.skip(`the test Redis runs ${reply[1]}`);
    const { policy, warnings } = await check(testRedisUrl);
    assert.equal(policy, "noeviction");
    assert.deepEqual(warnings, []);
  });
});
