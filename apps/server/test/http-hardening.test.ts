import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isLoopbackHost, startServer } from "../src/index.js";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

const unknownRun = "00000000-0000-4000-8000-000000000000";

describe("security headers", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("API replies carry helmet's headers and a CSP without upgrade-insecure-requests", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/health" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["x-frame-options"], "SAMEORIGIN");
    assert.equal(res.headers["x-powered-by"], undefined);
    const csp = String(res.headers["content-security-policy"]);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  });

  test("errors carry them too", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/nowhere" });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
  });

  test("Swagger UI at /docs still loads, with its scripts and styles from this origin", async () => {
    const page = await f.app.inject({ method: "GET", url: "/docs/" });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-type"]), /text\/html/);
    assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
    // Everything the page loads is a same-origin file (allowed by 'self') and answers 200.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    assert.ok(
      assets.some((a) => a.endsWith("swagger-ui-bundle.js")),
      page.body,
    );
    assert.equal(/<script>(?!\s*<\/script>)/.test(page.body), false, "no inline script the CSP would block");
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is not same-origin`);
      const res = await f.app.inject({ method: "GET", url: new URL(asset, "http://x/docs/").pathname });
      assert.equal(res.statusCode, 200, asset);
    }
    const spec = await f.app.inject({ method: "GET", url: "/docs/json" });
    assert.equal(spec.statusCode, 200);
  });
});

describe("rate limit on mutating requests (ALMANAC_RATE_LIMIT_PER_MINUTE)", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture({ rateLimitPerMinute: 3 });
  });
  after(() => f.close());

  test("the fourth POST in a minute is 429 ALMANAC_RATE_LIMITED with retry-after; reads stay unlimited", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await f.app.inject({ method: "POST", url: `/api/runs/${unknownRun}/cancel` });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.headers["x-ratelimit-limit"], "3");
    }
    const limited = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: { select: "daily_metrics", partition: "2024-01-03" },
    });
    assert.equal(limited.statusCode, 429);
    assert.deepEqual(Object.keys(limited.json()), ["error"]);
    assert.equal(limited.json().error.code, "ALMANAC_RATE_LIMITED");
    assert.match(limited.json().error.message, /3 changes per minute/);
    assert.ok(Number(limited.headers["retry-after"]) > 0);
    assert.equal(await f.countRuns(), 0);
    for (let i = 0; i < 10; i++) {
      const read = await f.app.inject({ method: "GET", url: "/api/runs" });
      assert.equal(read.statusCode, 200);
      assert.equal(read.headers["x-ratelimit-limit"], undefined);
    }
  });

  test("each client address has its own budget", async () => {
    const other = await f.app.inject({
      method: "POST",
      url: `/api/runs/${unknownRun}/cancel`,
      remoteAddress: "10.1.2.3",
    });
    assert.equal(other.statusCode, 404);
  });
});

describe("the loopback rule: no open API on the network", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  const loopback: readonly [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["example.com", false],
    ["128.0.0.1", false],
  ];
  for (const [host, expected] of loopback) {
    test(`${host} is ${expected ? "" : "not "}loopback`, () => assert.equal(isLoopbackHost(host), expected));
  }

  test("startServer refuses 0.0.0.0 without a token, before listening", async () => {
    await assert.rejects(
      startServer({ ctx: f.ctx, runQueue: f.queue, logger: false, host: "0.0.0.0", port: 0 }),
      (error: { code?: string; message?: string }) => {
        assert.equal(error.code, "ALMANAC_BAD_REQUEST");
        assert.match(String(error.message), /refusing to listen on 0\.0\.0\.0 without ALMANAC_API_TOKEN.*--insecure/);
        return true;
      },
    );
  });

  test("startServer listens on 0.0.0.0 with a token, or when told insecure", async () => {
    for (const extra of [{ apiToken: "a-token" }, { insecure: true }]) {
      const server = await startServer({
        ctx: f.ctx,
        runQueue: f.queue,
        logger: false,
        host: "0.0.0.0",
        port: 0,
        ...extra,
      });
      const port = new URL(server.url).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      assert.equal(res.status, 200);
      await server.close();
    }
  });
});
