import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { examplesDir, freePort, repoRoot } from "@almanac/testing";

const bin = path.join(repoRoot, "apps/cli/bin/almanac.js");

// What a newcomer gets on a fresh clone: neither DATABASE_URL nor REDIS_URL is set, so
// `almanac dev` starts an embedded Postgres and a local redis-server of its own.
test("almanac dev without DATABASE_URL or REDIS_URL starts its own services and serves /api/health", async () => {
  // A private folder, as mkdtemp makes it: Almanac must still get its Postgres running there.
  const home = await mkdtemp(path.join(tmpdir(), "almanac-home-"));
  const [port, pgPort, redisPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    PATH: process.env.PATH,
    ALMANAC_HOME: home,
    ALMANAC_EMBEDDED_PG_PORT: String(pgPort),
    ALMANAC_LOCAL_REDIS_PORT: String(redisPort),
    ALMANAC_PROJECT_DIR: path.join(examplesDir, "nyc_taxi"),
  };
  after(async () => {
    await promisify(execFile)(process.execPath, [bin, "db", "stop"], { env });
    await rm(home, { recursive: true, force: true });
  });
  const dev = spawn(process.execPath, [bin, "dev", "--port", String(port)], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  dev.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => dev.once("exit", resolve));
  try {
    let health: unknown;
    for (let i = 0; i < 300 && health === undefined; i++) {
      health = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (res) => (res.ok ? res.json() : undefined),
        () => undefined,
      );
      if (health === undefined) await sleep(100);
    }
    assert.deepEqual(health, { status: "ok", postgres: true, redis: true }, stderr);
  } finally {
    dev.kill("SIGTERM");
  }
  assert.equal(await exited, 0, "exits cleanly on SIGTERM");
});
