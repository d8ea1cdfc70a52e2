import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sentinelOptions } from "../src/redis-target.js";

describe("REDIS_URL naming Sentinel", () => {
  test("hosts, default port and the master's name", () => {
    assert.deepEqual(sentinelOptions("redis-sentinel://10.0.0.5:26380,10.0.0.6/almanac"), {
      sentinels: [
        { host: "10.0.0.5", port: 26380 },
        { host: "10.0.0.6", port: 26379 },
      ],
      name: "almanac",
    });
  });
  for (const url of ["redis-sentinel://10.0.0.5:26379", "redis-sentinel:///almanac", "redis-sentinel://h:x/almanac"]) {
    test(`refuses ${url}, saying the shape`, () => {
      assert.throws(() => sentinelOptions(url), /is not redis-sentinel:\/\/host:port\[,host:port…\]\/<master name>/);
    });
  }
});
