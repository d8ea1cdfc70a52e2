import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusterNodes, queuePrefix, sentinelOptions } from "../src/redis-target.js";

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
      assert.throws(
        () => sentinelOptions(url),
        /REDIS_URL .* is not redis-sentinel:\/\/host:port\[,host:port…\]\/<master name>/,
      );
    });
  }
});

describe("REDIS_URL naming a Redis Cluster", () => {
  test("seed nodes, port 6379 when not given", () => {
    assert.deepEqual(clusterNodes("redis-cluster://10.0.0.5:7000,10.0.0.6,redis-2.internal:7002"), [
      { host: "10.0.0.5", port: 7000 },
      { host: "10.0.0.6", port: 6379 },
      { host: "redis-2.internal", port: 7002 },
    ]);
  });
  const malformed = [
    "redis-cluster://",
    "redis-cluster://10.0.0.5:x",
    "redis-cluster://10.0.0.5:0",
    "redis-cluster://10.0.0.5:70000",
    "redis-cluster://:7000",
    "redis-cluster://10.0.0.5:7000/0",
    "redis-cluster://user:secret@10.0.0.5:7000",
  ];
  for (const url of malformed) {
    test(`refuses ${url}, saying the shape`, () => {
      assert.throws(() => clusterNodes(url), /REDIS_URL .* is not redis-cluster:\/\/host:port\[,host:port…\]/);
    });
  }
});

describe("the queue prefix", () => {
  const cases = [
    { redisUrl: "redis://127.0.0.1:6379", prefix: "almanac", expected: "almanac" },
    { redisUrl: "redis-sentinel://127.0.0.1:26379/almanac", prefix: "almanac", expected: "almanac" },
    // A cluster runs a queue's scripts only when all its keys share a slot: a hash tag does that.
    { redisUrl: "redis-cluster://127.0.0.1:7000", prefix: "almanac", expected: "{almanac}" },
    { redisUrl: "redis-cluster://127.0.0.1:7000", prefix: "{almanac}", expected: "{almanac}" },
    { redisUrl: "redis-cluster://127.0.0.1:7000", prefix: "team-{a}-prod", expected: "team-{a}-prod" },
    // `{}` is no hash tag (Redis hashes the whole key then): it gets wrapped.
    { redisUrl: "redis-cluster://127.0.0.1:7000", prefix: "x{}", expected: "{x{}}" },
    // Redis takes the first `{` and the first `}` after it: here that is `{}`, so no tag either.
    { redisUrl: "redis-cluster://127.0.0.1:7000", prefix: "a{}b{c}", expected: "{a{}b{c}}" },
  ];
  for (const { redisUrl, prefix, expected } of cases) {
    test(`${prefix} on ${redisUrl.split(":")[0]} → ${expected}`, () => {
      assert.equal(queuePrefix({ redisUrl, prefix }), expected);
    });
  }
});
