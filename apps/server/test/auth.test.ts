import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

const token = "s3cret-token-for-tests";

/** Everything the app logs, as text; the request serializer adds headers, as an operator might. */
function capturedLog(): { logger: pino.Logger; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino(
    {
      level: "info",
      serializers: {
        req: (req: { method: string; url: string; headers: unknown }) => ({
          method: req.method,
          url: req.url,
          headers: req.headers,
        }),
      },
    },
    stream,
  );
  return { logger, text: () => chunks.join("") };
}

describe("bearer token (ALMANAC_API_TOKEN)", () => {
  let f: ServerFixture;
  const log = capturedLog();

  before(async () => {
    f = await serverFixture({ apiToken: token, logger: log.logger });
  });
  after(() => f.close());

  const run = { select: "daily_metrics", partition: "2024-01-03" };

  test("a POST without a token, with a wrong one or another scheme is 401 and writes nothing", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${token}x`, `Basic ${token}`, "Bearer", ""]) {
      const headers = authorization === undefined ? {} : { authorization };
      const res = await f.app.inject({ method: "POST", url: "/api/runs", payload: run, headers });
      assert.equal(res.statusCode, 401, String(authorization));
      assert.equal(res.json().error.code, "ALMANAC_UNAUTHORIZED");
      assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    }
    const cancel = await f.app.inject({ method: "POST", url: "/api/runs/00000000-0000-4000-8000-000000000000/cancel" });
    assert.equal(cancel.statusCode, 401);
    assert.equal(await f.countRuns(), 0);
    assert.deepEqual(await f.jobIds(), []);
  });

  test("the right token is accepted", async () => {
    const res = await f.app.inject({
      method: "POST",
      url: "/api/runs",
      payload: run,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(await f.countRuns(), 1);
  });

  test("reads stay open", async () => {
    for (const url of [
      "/api/health",
      "/api/assets",
      "/api/runs",
      "/api/assets/daily_metrics/partitions",
      "/docs/json",
    ]) {
      const res = await f.app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 200, url);
    }
  });

  test("the token never reaches the log, even when requests are logged with their headers", () => {
    const text = log.text();
    assert.match(text, /incoming request/);
    assert.match(text, /\[Redacted\]/);
    assert.equal(text.includes(token), false);
  });
});

describe("named operator tokens (ALMANAC_API_TOKENS)", () => {
  let f: ServerFixture;
  before(async () => {
    f = await serverFixture({ apiToken: token, namedTokens: new Map([["loader", "loader-token-1"]]) });
  });
  after(() => f.close());

  test("a named token may change things, and a source event records its name", async () => {
    const report = (bearer: string) =>
      f.app.inject({
        method: "POST",
        url: "/api/sources/raw.trips/events",
        payload: { partition: "2024-01-02" },
        headers: { authorization: `Bearer ${bearer}` },
      });
    const byLoader = await report("loader-token-1");
    assert.equal(byLoader.statusCode, 201, byLoader.body);
    assert.equal(byLoader.json().reportedBy, "loader");
    const byOperator = await report(token);
    assert.equal(byOperator.json().reportedBy, "api");
    const wrong = await report("loader-token-2");
    assert.equal(wrong.statusCode, 401);
    const rows = await f.query<{ reported_by: string }>("select reported_by from almanac.source_events order by id");
    assert.deepEqual(
      rows.map((row) => row.reported_by),
      ["loader", "api"],
    );
  });
});

describe("read-only tokens (ALMANAC_READ_TOKENS)", () => {
  let f: ServerFixture;
  const readers = ["reader-one-token", "reader-two-token"];

  before(async () => {
    f = await serverFixture({ apiToken: token, readTokens: readers });
  });
  after(() => f.close());

  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const reads = ["/api/assets", "/api/runs", "/api/runs/", "/api/assets/daily_metrics/partitions", "/api/schedules"];

  test("reads of /api need a read token or the operator token", async () => {
    for (const url of reads) {
      const none = await f.app.inject({ method: "GET", url });
      assert.equal(none.statusCode, 401, url);
      assert.equal(none.json().error.code, "ALMANAC_UNAUTHORIZED");
      const wrong = await f.app.inject({ method: "GET", url, headers: bearer("nope") });
      assert.equal(wrong.statusCode, 401, url);
      for (const accepted of [...readers, token]) {
        const res = await f.app.inject({ method: "GET", url, headers: bearer(accepted) });
        assert.equal(res.statusCode, 200, `${url} ${res.body}`);
      }
    }
  });

  test("the health check, /docs and unknown routes stay open", async () => {
    assert.equal((await f.app.inject({ method: "GET", url: "/api/health" })).statusCode, 200);
    assert.equal((await f.app.inject({ method: "GET", url: "/docs/json" })).statusCode, 200);
    assert.equal((await f.app.inject({ method: "GET", url: "/api/nowhere" })).statusCode, 404);
  });

  test("a read token cannot change anything", async () => {
    for (const reader of readers) {
      const res = await f.app.inject({
        method: "POST",
        url: "/api/runs",
        payload: { select: "daily_metrics", partition: "2024-01-03" },
        headers: bearer(reader),
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, "ALMANAC_UNAUTHORIZED");
      assert.match(res.json().error.message, /may only read/);
    }
    assert.equal(await f.countRuns(), 0);
  });
});
