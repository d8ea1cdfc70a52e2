import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { parse } from "yaml";

// No Docker engine runs where the tests run, so the file is checked as YAML against what
// Almanac needs from its services (DESIGN §6), rather than with `docker compose config`.
interface Service {
  image?: string;
  command?: string[];
  ports?: string[];
  healthcheck?: { test?: string[] };
  environment?: Record<string, string>;
}

test("docker-compose.yml gives Postgres 15+ and Redis with noeviction and AOF", async () => {
  const compose = parse(await readFile(new URL("../docker-compose.yml", import.meta.url), "utf8")) as {
    services: Record<string, Service>;
  };
  const { postgres, redis } = compose.services;
  assert.ok(postgres && redis, "services postgres and redis");
  assert.ok(Number(postgres.image?.split(":")[1]) >= 15, `postgres image ${postgres.image}`);
  const args = (redis.command ?? []).join(" ");
  assert.match(args, /--maxmemory-policy noeviction/);
  assert.match(args, /--appendonly yes/);
  for (const service of [postgres, redis]) {
    assert.ok(service.healthcheck?.test?.length, "a healthcheck");
    for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, "published on loopback only");
  }
});
