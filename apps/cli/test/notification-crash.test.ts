import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, startWebhookReceiver, type TestDatabase, type WebhookReceiver } from "@almanac/testing";
import pg from "pg";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";
import { notifyProject, ofType, signatureOf, webhookSecret } from "./notify-fixture.js";

// A crash loses no notification: the outbox row commits with the event, and whichever server
// comes up next delivers it. Real processes, killed with SIGKILL (no shutdown code runs).
const token = "notify-crash-token";

describe("notifications survive a server killed before delivering them", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let receiver: WebhookReceiver;
  let projectDir: string;
  let workers: RunningServices | undefined;
  const servers: RunningServices[] = [];
  let client: ApiClient;

  const env = {
    ALMANAC_WEBHOOK_SECRET: webhookSecret,
    // Without it each server links to its own address, and bodies sent by two servers differ.
    ALMANAC_PUBLIC_URL: "https://almanac.example",
    ALMANAC_WEBHOOK_BACKOFF_MS: "500",
    ALMANAC_WEBHOOK_TIMEOUT_MS: "1000",
    ALMANAC_NOTIFICATION_POLL_MS: "1000",
  };
  /** A new `almanac serve` on the workers' database and queue. */
  const startServer = async () => {
    const server = await startServices({
      databaseUrl: db.url,
      projectDir,
      apiToken: token,
      commands: ["serve"],
      env: { ...env, ALMANAC_QUEUE_PREFIX: String(workers?.env.ALMANAC_QUEUE_PREFIX) },
    });
    servers.push(server);
    client = apiClient(server.base, token);
    return server;
  };
  const failRun = async (partition: string) => {
    const posted = await client.ok("POST", "/api/runs", { select: "broken_daily", partition });
    return String(posted.runId);
  };
  /** The run's `ops` outbox row, read straight from the store. */
  const outboxRow = async (runId: string) =>
    (
      await pool.query<{ status: string; attempts: number; last_status: number | null }>(
        `select status, attempts, last_status from almanac.notification_outbox
         where notification = 'ops' and payload->>'runId' = $1`,
        [runId],
      )
    ).rows[0];
  /** Polls the run's `ops` row until its status is `status` (the outcome is recorded just after the receiver answers). */
  const waitForRow = async (runId: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const row = await outboxRow(runId);
      if (row?.status === status) return row;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the outbox row of run ${runId} did not become ${status}`);
  };
  const waitForRunEnd = async (runId: string) => {
    for (let i = 0; i < 300; i++) {
      const { rows } = await pool.query<{ status: string }>("select status from almanac.runs where id = $1", [runId]);
      if (rows[0]?.status === "failed") return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${runId} did not fail`);
  };

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    receiver = await startWebhookReceiver();
    projectDir = await notifyProject(receiver);
    const migrated = await runAlmanac({ DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir }, "migrate");
    assert.equal(migrated.code, 0, migrated.stderr);
    // The worker alone: servers come and go around it.
    workers = await startServices({
      databaseUrl: db.url,
      projectDir,
      apiToken: token,
      commands: ["worker", "serve"],
      env,
    });
    servers.push(workers);
    client = apiClient(workers.base, token);
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await receiver?.close();
    await pool?.end();
    await db?.drop();
  });

  test("refused (500), then the server is killed: the next server delivers the same signed body", async () => {
    receiver.answer(500);
    const runId = await failRun("2024-01-02");
    const mine = ofType("run_failed", (b) => b.runId === runId && b.notification === "ops");
    const [refused] = await receiver.waitFor(mine);
    assert.ok(refused);
    // Killed once the refusal is recorded (killed before that, it is the mid-POST case below).
    for (let i = 0; (await outboxRow(runId))?.last_status !== 500; i++) {
      assert.ok(i < 200, "the refusal was recorded");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await workers?.kill("serve", "SIGKILL");
    assert.deepEqual(await outboxRow(runId), { status: "pending", attempts: 1, last_status: 500 });

    receiver.answer(200);
    await startServer();
    const up = Date.now();
    const [delivered] = await receiver.waitFor((r) => mine(r) && r.answered === 200);
    assert.ok(delivered);
    console.log(`delivered ${delivered.at - up} ms after the new server answered /api/health`);
    assert.equal(delivered.rawBody, refused.rawBody, "the same body, so the same signature");
    assert.equal(delivered.headers["idempotency-key"], refused.headers["idempotency-key"]);
    assert.equal(delivered.headers["x-almanac-signature"], signatureOf(delivered));
    assert.deepEqual(await waitForRow(runId, "delivered"), { status: "delivered", attempts: 2, last_status: 200 });
  });

  test("an event recorded while no server runs is delivered by the server started later", async () => {
    const current = servers.at(-1) as RunningServices;
    const runId = await failRun("2024-01-03");
    await current.kill("serve", "SIGKILL");
    // The worker finishes the run and writes the outbox row with its failure; nobody delivers.
    await waitForRunEnd(runId);
    assert.deepEqual(await outboxRow(runId), { status: "pending", attempts: 0, last_status: null });
    const mine = ofType("run_failed", (b) => b.runId === runId && b.notification === "ops");
    assert.equal(receiver.received.filter(mine).length, 0);
    await startServer();
    const [delivered] = await receiver.waitFor(mine);
    assert.equal(delivered?.answered, 200);
    assert.deepEqual(await waitForRow(runId, "delivered"), { status: "delivered", attempts: 1, last_status: 200 });
  });

  test("killed mid-POST (the receiver hung): the row's lease runs out and the next server sends it again", async () => {
    receiver.answer("never");
    const runId = await failRun("2024-01-04");
    const mine = ofType("run_failed", (b) => b.runId === runId && b.notification === "ops");
    const [hung] = await receiver.waitFor(mine);
    assert.ok(hung);
    await (servers.at(-1) as RunningServices).kill("serve", "SIGKILL");
    receiver.answer(200);
    const killed = Date.now();
    await startServer();
    const [delivered] = await receiver.waitFor((r) => mine(r) && r.answered === 200, 1, 20_000);
    assert.ok(delivered);
    // The lease is the POST timeout (1 s here) plus 5 s: no earlier, so a live server is never raced.
    const waited = delivered.at - hung.at;
    console.log(`re-sent ${waited} ms after the hung attempt (${delivered.at - killed} ms after the kill)`);
    assert.ok(waited >= 5_500, `re-sent after ${waited} ms`);
    assert.equal(delivered.headers["idempotency-key"], hung.headers["idempotency-key"]);
    assert.deepEqual(await waitForRow(runId, "delivered"), { status: "delivered", attempts: 2, last_status: 200 });
  });
});
