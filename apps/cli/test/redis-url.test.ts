import assert from "node:assert/strict";
import { test } from "node:test";
import { runAlmanac } from "./cli-fixture.js";

// A malformed Sentinel or Cluster REDIS_URL is refused when the environment is read: one line
// naming the variable and the expected shape, exit 2, before any connection is made.
const malformed = [
  { url: "redis-cluster://10.0.0.5:x,10.0.0.6:7001", shape: "redis-cluster://host:port" },
  { url: "redis-cluster://", shape: "redis-cluster://host:port" },
  { url: "redis-sentinel://10.0.0.5:26379", shape: "redis-sentinel://host:port" },
];
for (const { url, shape } of malformed) {
  test(`REDIS_URL=${url} is one line naming REDIS_URL, exit 2`, async () => {
    const result = await runAlmanac({ REDIS_URL: url, DATABASE_URL: "postgres://127.0.0.1:1/none" }, "worker");
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /^error \[ALMANAC_BAD_REQUEST\]: REDIS_URL /);
    assert.ok(result.stderr.includes(shape), result.stderr);
  });
}
