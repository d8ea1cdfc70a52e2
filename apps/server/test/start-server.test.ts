import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer } from "../src/index.js";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

describe("startServer", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("listens on the given port, answers over HTTP and closes", async () => {
    const server = await startServer({ ctx: f.ctx, runQueue: f.queue, logger: false, host: "127.0.0.1", port: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok", postgres: true, redis: true });
    await Promise.all([server.close(), server.close()]);
    await assert.rejects(fetch(`${server.url}/api/health`));
  });
});
