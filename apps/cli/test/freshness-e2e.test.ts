import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createTestDatabase,
  parsePrometheusText,
  startWebhookReceiver,
  type TestDatabase,
  type WebhookReceiver,
} from "@almanac/testing";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";
import { notifyProject, ofType } from "./notify-fixture.js";

// freshness: {max_lag: 1m} on late_daily (daily, UTC, since 2024-01-01): its latest partition is
// yesterday, due one minute after midnight UTC, and never materialized, so it is overdue. Two
// servers check every 200 ms; the notification goes out once.
const token = "freshness-e2e-token";
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

describe("freshness, end to end", () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  const services: RunningServices[] = [];
  let client: ApiClient;

  before(async () => {
    // In the minute after midnight UTC yesterday's partition is not due yet: wait it out.
    const sinceMidnight = Date.now() % 86_400_000;
    if (sinceMidnight < 65_000) await sleep(65_000 - sinceMidnight);
    db = await createTestDatabase();
    receiver = await startWebhookReceiver();
    const projectDir = await notifyProject(receiver);
    const migrated = await runAlmanac({ DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir }, "migrate");
    assert.equal(migrated.code, 0, migrated.stderr);
    const env = { ALMANAC_FRESHNESS_INTERVAL_MS: "200", ALMANAC_NOTIFICATION_POLL_MS: "500" };
    const first = await startServices({ databaseUrl: db.url, projectDir, apiToken: token, env });
    services.push(first);
    services.push(
      await startServices({
        databaseUrl: db.url,
        projectDir,
        apiToken: token,
        commands: ["serve"],
        env: { ...env, ALMANAC_QUEUE_PREFIX: String(first.env.ALMANAC_QUEUE_PREFIX) },
      }),
    );
    client = apiClient(first.base, token);
  });
  after(async () => {
    for (const running of services) await running.stop();
    await receiver?.close();
    await db?.drop();
  });

  const overdueGauge = async (base: string) =>
    parsePrometheusText(await (await fetch(`${base}/metrics`)).text()).sum("almanac_asset_overdue", {
      asset: "late_daily",
    });

  test("an overdue asset shows overdue: true and reaches the receiver once, from two servers", async () => {
    const partition = yesterday();
    const [request] = await receiver.waitFor(ofType("asset_overdue"));
    assert.ok(request?.body);
    assert.deepEqual(request.body.assets, ["late_daily"]);
    assert.deepEqual(request.body.partitions, { from: partition, to: partition });
    const details = request.body.details as { maxLag: string; deadline: string; windowEnd: string };
    assert.equal(details.maxLag, "1m");
    assert.equal(Date.parse(details.deadline) - Date.parse(details.windowEnd), 60_000);
    assert.equal(new Date(details.windowEnd).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10));
    assert.match(String(request.body.link), /\/assets\/late_daily$/);
    assert.match(String(request.body.text), new RegExp(`late_daily \\[${partition}\\] is overdue`));

    const { assets } = (await client.ok("GET", "/api/assets")) as { assets: Record<string, unknown>[] };
    const late = assets.find((asset) => asset.key === "late_daily");
    assert.equal(late?.overdue, true);
    assert.deepEqual(late?.freshness, {
      maxLag: "1m",
      partition,
      windowEnd: details.windowEnd.replace("+00:00", ".000Z"),
      deadline: new Date(details.deadline).toISOString(),
    });
    const days = assets.find((asset) => asset.key === "days");
    assert.equal(days?.overdue, false, "no freshness policy, never overdue");
    assert.equal(days?.freshness, undefined);
    const single = await client.ok("GET", "/api/assets/late_daily");
    assert.equal(single.overdue, true);
    assert.equal(await overdueGauge(String(services[0]?.base)), 1);
    const page = await (await fetch(`${services[0]?.base}/`)).text();
    assert.match(page, /late_daily<\/a> <span class="pill st-overdue"/);
    const assetPage = await (await fetch(`${services[0]?.base}/assets/late_daily`)).text();
    assert.match(
      assetPage,
      new RegExp(`Freshness: <span class="pill st-overdue">overdue</span> partition ${partition} was due`),
    );

    // Many more checks by both servers: still one notification.
    await sleep(1_500);
    assert.equal(receiver.received.filter(ofType("asset_overdue")).length, 1);
  });

  test("once the latest partition materializes the asset is on time again", async () => {
    const posted = await client.ok("POST", "/api/runs", { select: "late_daily", partition: yesterday() });
    const run = await client.waitForRun(String(posted.runId));
    assert.equal(run.status, "succeeded");
    const single = await client.ok("GET", "/api/assets/late_daily");
    assert.equal(single.overdue, false);
    assert.equal((single.freshness as { partition: string }).partition, yesterday());
    assert.equal(await overdueGauge(String(services[1]?.base)), 0);
    const page = await (await fetch(`${services[0]?.base}/`)).text();
    assert.doesNotMatch(page, /st-overdue/);
    assert.equal(receiver.received.filter(ofType("asset_overdue")).length, 1);
  });
});
