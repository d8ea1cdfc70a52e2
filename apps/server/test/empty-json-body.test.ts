import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningServer, startServer } from "../src/index.js";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

/** The fields of the action replies this file looks at. */
interface ActionReply {
  readonly status?: string;
  readonly enabled?: boolean;
  readonly tick?: { readonly partitionKey: string };
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Regression: many HTTP clients send `content-type: application/json` on every POST, body or
 * not. Fastify's parser answered 400 "Body cannot be empty" on every action endpoint; an empty
 * JSON body is `{}` now. Driven over real HTTP (fetch against a listening server), since that is
 * where the header and the zero-length body come from.
 */
describe("an empty body with content-type application/json is {}", () => {
  let f: ServerFixture;
  let server: RunningServer;

  before(async () => {
    f = await serverFixture();
    server = await startServer({
      ctx: f.ctx,
      runQueue: f.queue,
      logger: false,
      host: "127.0.0.1",
      port: 0,
      now: () => new Date("2024-01-10T12:00:00Z"),
    });
  });
  after(async () => {
    await server.close();
    await f.close();
  });

  /** A POST as `curl -X POST -H 'content-type: application/json' URL` sends it: no body at all. */
  async function emptyJsonPost(path: string): Promise<{ status: number; body: ActionReply }> {
    const res = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    return { status: res.status, body: (await res.json()) as ActionReply };
  }

  test("backfill cancel and retry", async () => {
    const created = await fetch(`${server.url}/api/backfills`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ select: "daily_metrics", from: "2024-01-01", to: "2024-01-03" }),
    });
    assert.equal(created.status, 202);
    const { backfillId } = (await created.json()) as { backfillId: string };

    const cancel = await emptyJsonPost(`/api/backfills/${backfillId}/cancel`);
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, "canceled");

    // Reaches the route: nothing failed in a canceled backfill, and it says so (not "Body cannot be empty").
    const retry = await emptyJsonPost(`/api/backfills/${backfillId}/retry`);
    assert.equal(retry.status, 400);
    assert.equal(retry.body.error?.code, "ALMANAC_BAD_REQUEST");
    assert.match(retry.body.error?.message ?? "", /left no failed partition to retry/);
  });

  test("run cancel", async () => {
    const created = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ select: "daily_metrics", partition: "2024-01-02" }),
    });
    assert.equal(created.status, 202);
    const { runId } = (await created.json()) as { runId: string };
    const cancel = await emptyJsonPost(`/api/runs/${runId}/cancel`);
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, "canceled");
    const run = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { status: string };
    assert.equal(run.status, "canceled");
  });

  test("schedule tick, disable and enable", async () => {
    const tick = await emptyJsonPost("/api/schedules/nightly/tick");
    assert.equal(tick.status, 202, JSON.stringify(tick.body));
    assert.equal(tick.body.tick?.partitionKey, "2024-01-09");

    const disable = await emptyJsonPost("/api/schedules/nightly/disable");
    assert.equal(disable.status, 200, JSON.stringify(disable.body));
    assert.equal(disable.body.enabled, false);
    const enable = await emptyJsonPost("/api/schedules/nightly/enable");
    assert.equal(enable.status, 200);
    assert.equal(enable.body.enabled, true);
  });

  test("an endpoint that needs a body says which field is missing", async () => {
    const runs = await f.countRuns();
    const res = await emptyJsonPost("/api/runs");
    assert.equal(res.status, 400);
    assert.equal(res.body.error?.code, "ALMANAC_BAD_REQUEST");
    assert.doesNotMatch(res.body.error?.message ?? "", /cannot be empty/i);
    assert.equal(await f.countRuns(), runs);
  });

  test("a body that is present is still parsed strictly", async () => {
    for (const body of ["{", " ", '{"__proto__": {"x": 1}}']) {
      const res = await fetch(`${server.url}/api/schedules/nightly/tick`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "ALMANAC_BAD_REQUEST");
    }
  });
});
