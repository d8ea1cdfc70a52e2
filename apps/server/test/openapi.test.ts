import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

describe("OpenAPI document", () => {
  let f: ServerFixture;

  before(async () => {
    f = await serverFixture();
  });
  after(() => f.close());

  test("is served at /docs/json and lists every route with the bearer scheme", async () => {
    const res = await f.app.inject({ method: "GET", url: "/docs/json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.info.title, "Almanac");
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: "http",
      scheme: "bearer",
      description: "ALMANAC_API_TOKEN",
    });
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(operations, [
      "GET /api/assets",
      "GET /api/assets/{key}",
      "GET /api/assets/{key}/partitions",
      "GET /api/assets/{key}/statuses",
      "GET /api/backfills",
      "GET /api/backfills/{id}",
      "GET /api/health",
      "GET /api/notifications/deliveries",
      "GET /api/runs",
      "GET /api/runs/{id}",
      "GET /api/runs/{id}/events",
      "GET /api/schedules",
      "POST /api/backfills",
      "POST /api/backfills/{id}/cancel",
      "POST /api/backfills/{id}/retry",
      "POST /api/runs",
      "POST /api/runs/{id}/cancel",
      "POST /api/schedules/{name}/disable",
      "POST /api/schedules/{name}/enable",
      "POST /api/schedules/{name}/tick",
      "POST /api/sources/{source}/events",
    ]);
    const createRun = doc.paths["/api/runs"].post;
    assert.deepEqual(createRun.security, [{ bearerAuth: [] }]);
    assert.ok(createRun.requestBody.content["application/json"].schema.properties.select);
  });

  test("a trailing slash names the same route", async () => {
    const res = await f.app.inject({ method: "GET", url: "/api/runs/" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { runs: [], nextCursor: null });
  });

  test("Swagger UI is served at /docs", async () => {
    const res = await f.app.inject({ method: "GET", url: "/docs" });
    assert.ok([200, 302].includes(res.statusCode), String(res.statusCode));
  });
});
