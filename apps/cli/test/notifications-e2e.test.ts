import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createTestDatabase,
  parsePrometheusText,
  type ReceivedWebhook,
  startWebhookReceiver,
  type TestDatabase,
  type WebhookReceiver,
} from "@almanac/testing";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";
import { notifyProject, ofType, signatureOf, webhookSecret } from "./notify-fixture.js";

// almanac.yml notifications end to end: `almanac serve` and `almanac worker` processes, a local
// HTTP receiver standing in for Slack or PagerDuty, and the events a user subscribes to.
const token = "notify-e2e-token";
const publicUrl = "https://almanac.example";

describe("notifications, end to end", () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  let services: RunningServices | undefined;
  let client: ApiClient;

  before(async () => {
    db = await createTestDatabase();
    receiver = await startWebhookReceiver();
    const projectDir = await notifyProject(receiver);
    const migrated = await runAlmanac({ DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir }, "migrate");
    assert.equal(migrated.code, 0, migrated.stderr);
    services = await startServices({
      databaseUrl: db.url,
      projectDir,
      apiToken: token,
      env: {
        ALMANAC_WEBHOOK_SECRET: webhookSecret,
        ALMANAC_PUBLIC_URL: publicUrl,
        ALMANAC_WEBHOOK_BACKOFF_MS: "300",
        ALMANAC_NOTIFICATION_POLL_MS: "1000",
      },
    });
    client = apiClient(services.base, token);
  });
  after(async () => {
    await services?.stop();
    await receiver?.close();
    await db?.drop();
  });

  const runTo = async (select: string, partition: string) => {
    const posted = await client.ok("POST", "/api/runs", { select, partition });
    return client.waitForRun(String(posted.runId));
  };

  test("a failed run reaches every notification on run_failed, signed, with its error and a link", async () => {
    const run = await runTo("broken_daily", "2024-01-02");
    assert.equal(run.status, "failed");
    const [ops, only] = await receiver.waitFor(
      ofType("run_failed", (b) => b.runId === run.id),
      2,
    );
    assert.ok(ops && only);
    const byName = new Map([ops, only].map((request) => [request.body?.notification, request]));
    assert.deepEqual([...byName.keys()].sort(), ["failures-only", "ops"]);
    assert.ok(byName.get("failures-only")?.headers.host, "both URLs were posted to");
    const request = byName.get("ops") as ReceivedWebhook;
    const body = request.body as Record<string, unknown>;
    assert.equal(request.headers["x-almanac-signature"], signatureOf(request));
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["idempotency-key"], `almanac-${body.id}`);
    assert.equal(body.type, "run_failed");
    assert.deepEqual(body.assets, ["broken_daily"]);
    assert.deepEqual(body.partitions, { from: "2024-01-02", to: "2024-01-02" });
    assert.equal((body.error as { code: string }).code, "ALMANAC_MODEL_SQL_ERROR");
    assert.match(String((body.error as { message: string }).message), /no_such_table/);
    assert.equal(body.link, `${publicUrl}/runs/${run.id}`);
    assert.match(String(body.text), /^Almanac: run of broken_daily \[2024-01-02\] failed: .*no_such_table/);
    const latency = request.at - Date.parse(String(run.finishedAt));
    console.log(`run_failed delivered ${latency} ms after the run finished`);
    assert.ok(latency < 3_000, `delivered ${latency} ms after the run finished: NOTIFY should wake the server`);
  });

  test("a completed backfill reaches the notifications on backfill_completed only, once", async () => {
    const posted = await client.ok("POST", "/api/backfills", { select: "days", from: "2024-01-01", to: "2024-01-03" });
    const backfill = await client.waitForBackfill(String(posted.backfillId));
    assert.equal(backfill.status, "completed");
    const [request] = await receiver.waitFor(ofType("backfill_completed", (b) => b.backfillId === backfill.id));
    assert.ok(request?.body);
    assert.equal(request.headers["x-almanac-signature"], signatureOf(request));
    assert.equal(request.body.notification, "ops");
    assert.deepEqual(request.body.assets, ["days"]);
    assert.deepEqual(request.body.partitions, { from: "2024-01-01", to: "2024-01-03" });
    assert.equal(request.body.link, `${publicUrl}/backfills/${backfill.id}`);
    assert.deepEqual((request.body.details as { runs: unknown }).runs, {
      succeeded: 3,
      failed: 0,
      canceled: 0,
      total: 3,
    });
    assert.match(
      String(request.body.text),
      /backfill of days \[2024-01-01 … 2024-01-03\] completed \(3 runs, 0 failed\)/,
    );
    // Reading the backfill again (the server refreshes its status) sends nothing more.
    await client.ok("GET", `/api/backfills/${backfill.id}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.filter(ofType("backfill_completed")).length, 1);
  });

  test("a failed check reaches check_failed with the check and partition", async () => {
    const run = await runTo("unchecked_daily", "2024-01-05");
    const [request] = await receiver.waitFor(ofType("check_failed", (b) => b.runId === run.id));
    assert.ok(request?.body);
    assert.deepEqual(request.body.assets, ["unchecked_daily"]);
    const checks = (request.body.details as { checks: { name: string; partition: string }[] }).checks;
    assert.equal(checks.length, 1);
    assert.match(checks[0]?.name ?? "", /not_null/);
    assert.equal(checks[0]?.partition, "2024-01-05");
    assert.equal(request.body.link, `${publicUrl}/runs/${run.id}`);
  });

  test("a receiver answering 500 is retried with growing waits, under the same idempotency key", async () => {
    receiver.answer(500);
    const run = await runTo("broken_daily", "2024-01-03");
    const mine = ofType("run_failed", (b) => b.runId === run.id && b.notification === "ops");
    await receiver.waitFor(mine, 3);
    receiver.answer(200);
    await receiver.waitFor((r) => mine(r) && r.answered === 200);
    const all = receiver.received.filter(mine);
    assert.equal(all.length, 4, "three refusals, then one delivery");
    assert.equal(new Set(all.map((r) => r.headers["idempotency-key"])).size, 1);
    assert.equal(new Set(all.map((r) => r.rawBody)).size, 1, "every attempt sends the same bytes");
    const gaps = all.slice(1).map((r, i) => r.at - (all[i] as ReceivedWebhook).at);
    console.log(`gaps between attempts: ${gaps.join(", ")} ms`);
    // Backoff 300 ms doubled per attempt: 300, 600, 1200 (the last one is when the receiver came back).
    assert.ok((gaps[0] ?? 0) >= 280 && (gaps[1] ?? 0) >= 580, `waits grow: ${gaps}`);
    assert.ok((gaps[1] ?? 0) > (gaps[0] ?? 0));
    assert.deepEqual(
      all.map((r) => r.answered),
      [500, 500, 500, 200],
    );

    const listed = await client.ok("GET", "/api/notifications/deliveries?notification=ops&limit=100");
    const delivery = (listed.deliveries as Record<string, unknown>[]).find(
      (d) => (d.event as { runId?: string }).runId === run.id,
    );
    assert.ok(delivery);
    assert.equal(delivery.status, "delivered");
    assert.equal(delivery.attempts, 4);
    assert.equal(delivery.lastStatus, 200);
    assert.match(String(delivery.lastError), /^HTTP 500: receiver says no/);
    assert.equal(delivery.type, "run_failed");
    assert.equal(delivery.nextAttemptAt, null);
  });

  test("GET /api/notifications/deliveries pages, filters, refuses a bad cursor; the counter counts outcomes", async () => {
    const first = await client.ok("GET", "/api/notifications/deliveries?limit=2");
    const page = first.deliveries as { id: string; status: string }[];
    assert.equal(page.length, 2);
    assert.ok(first.nextCursor);
    const second = await client.ok("GET", `/api/notifications/deliveries?limit=2&cursor=${first.nextCursor}`);
    const ids = [...page, ...(second.deliveries as { id: string }[])].map((d) => Number(d.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      "newest first across pages",
    );
    assert.equal(new Set(ids).size, ids.length);
    const failures = await client.ok("GET", "/api/notifications/deliveries?notification=failures-only");
    assert.ok((failures.deliveries as { type: string }[]).every((d) => d.type === "run_failed"));
    const bad = await client.call("GET", "/api/notifications/deliveries?cursor=abc");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, "ALMANAC_BAD_REQUEST");
    const badStatus = await client.call("GET", "/api/notifications/deliveries?status=lost");
    assert.equal(badStatus.status, 400);

    const metrics = parsePrometheusText(await (await fetch(`${services?.base}/metrics`)).text());
    const value = (outcome: string) =>
      metrics.sum("almanac_webhook_deliveries_total", { notification: "ops", outcome });
    assert.ok(value("delivered") >= 4, `delivered: ${value("delivered")}`);
    assert.equal(value("retry"), 3);
  });
});
