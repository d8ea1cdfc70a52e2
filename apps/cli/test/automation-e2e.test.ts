import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, repoRoot, symmetricDifference, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";

// `automation: eager` with two `almanac serve` processes and one `almanac worker`, as a team
// runs it: a loader reports raw.events by the hour to either server; hours, days, the month and
// the unpartitioned total follow. Polling is off (60 s), so what follows follows notifications.
const projectDir = path.join(repoRoot, "packages/engine/test/fixtures/automation");
const token = "automation-e2e-token";

describe("automation, end to end with two servers", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let services: RunningServices | undefined;
  let one: ApiClient;
  let two: ApiClient;

  const statuses = async (asset: string, from: string, to: string) =>
    String((await one.ok("GET", `/api/assets/${asset}/statuses?from=${from}&to=${to}`)).statuses);
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`${what}: not within 30 s`);
  };
  /** Automation runs of `asset` per key they covered (ranges expanded by the store's own key list). */
  const automationRuns = async (asset: string) =>
    (
      await pool.query<{ id: string; partition_from: string | null; partition_to: string | null }>(
        `select id, partition_from, partition_to from almanac.runs
          where trigger = 'automation' and selection = $1 order by created_at`,
        [asset],
      )
    ).rows;
  const runsPerDay = async () => {
    const { rows } = await pool.query<{ day: string; runs: number }>(
      `select to_char(d, 'YYYY-MM-DD') as day, count(r.id)::int as runs
         from generate_series('2024-03-01'::date, '2024-03-31', interval '1 day') as d
         left join almanac.runs r
           on r.trigger = 'automation' and r.selection = 'events_daily'
          and to_char(d, 'YYYY-MM-DD') between r.partition_from and r.partition_to
        group by 1 order by 1`,
    );
    return rows;
  };

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    await pool.query(`create schema raw;
      create table raw.events as
      select ts as occurred_at, ((extract(epoch from ts)::bigint / 60) % 97)::numeric / 4 as amount
        from generate_series('2024-03-01T00:00:00Z'::timestamptz, '2024-03-31T23:59:00Z', interval '7 minutes') as ts`);
    const migrated = await runAlmanac({ DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir }, "migrate");
    assert.equal(migrated.code, 0, migrated.stderr);
    services = await startServices({
      databaseUrl: db.url,
      projectDir,
      apiToken: token,
      commands: ["serve", "serve", "worker"],
      env: { ALMANAC_AUTOMATION_POLL_MS: "60000" },
    });
    one = apiClient(services.bases[0] as string, token);
    two = apiClient(services.bases[1] as string, token);
  });
  after(async () => {
    await services?.stop();
    await pool?.end();
    await db?.drop();
  });

  test("a source event starts the chain: the day's hours, the day, the total; each says why it ran", async () => {
    await two.ok("POST", "/api/sources/raw.events/events", { from: "2024-03-01-00:00", to: "2024-03-01-23:00" });
    await until(
      "events_daily 2024-03-01",
      async () => (await statuses("events_daily", "2024-03-01", "2024-03-01")) === "m",
    );
    await until("daily_totals", async () => (await automationRuns("daily_totals")).length === 1);
    assert.equal(await statuses("events_hourly", "2024-03-01-00:00", "2024-03-01-23:00"), "m".repeat(24));
    assert.equal((await automationRuns("events_hourly")).length, 1);
    const [daily] = await automationRuns("events_daily");
    assert.ok(daily);
    const run = await one.waitForRun(daily.id);
    assert.equal(run.trigger, "automation");
    assert.deepEqual(run.cause, {
      rule: "assets[1].automation: eager",
      upstream: [{ asset: "events_hourly", from: "2024-03-01-00:00", to: "2024-03-01-23:00" }],
    });
    const page = await fetch(`${services?.base}/runs/${daily.id}`).then((res) => res.text());
    assert.match(
      page,
      /Cause<\/dt><dd>assets\[1\]\.automation: eager, after updates of <span class="mono">events_hourly 2024-03-01-00:00\.\.2024-03-01-23:00/,
    );
  });

  test("a day waits for its missing hours and then runs once", async () => {
    await one.ok("POST", "/api/sources/raw.events/events", { from: "2024-03-02-00:00", to: "2024-03-02-11:00" });
    await until(
      "the morning's hours",
      async () => (await statuses("events_hourly", "2024-03-02-00:00", "2024-03-02-11:00")) === "m".repeat(12),
    );
    // What would follow the morning's hours has had its notification; give it time to be wrong.
    await sleep(500);
    assert.equal(await statuses("events_daily", "2024-03-02", "2024-03-02"), "-");
    await two.ok("POST", "/api/sources/raw.events/events", { from: "2024-03-02-12:00", to: "2024-03-02-23:00" });
    await until(
      "events_daily 2024-03-02",
      async () => (await statuses("events_daily", "2024-03-02", "2024-03-02")) === "m",
    );
    assert.deepEqual(
      (await automationRuns("events_daily")).map((run) => [run.partition_from, run.partition_to]),
      [
        ["2024-03-01", "2024-03-01"],
        ["2024-03-02", "2024-03-02"],
      ],
    );
  });

  test("a backfill of the month's hours: every day follows once, the month once, both equal SQL", async () => {
    const { backfillId } = await one.ok("POST", "/api/backfills", {
      select: "events_hourly",
      from: "2024-03-03-00:00",
      to: "2024-03-31-23:00",
    });
    const backfill = await one.waitForBackfill(String(backfillId));
    assert.equal(backfill.status, "completed");
    await until(
      "events_monthly 2024-03-01",
      async () => (await statuses("events_monthly", "2024-03-01", "2024-03-01")) === "m",
    );
    assert.deepEqual(
      (await runsPerDay()).filter((day) => day.runs !== 1),
      [],
    );
    assert.equal((await automationRuns("events_monthly")).length, 1);
    assert.deepEqual(
      await symmetricDifference(
        pool,
        "select * from public.events_monthly",
        `select date '2024-03-01' as month, 31 as days, count(*)::bigint as events, sum(amount) as amount
           from raw.events`,
      ),
      [],
    );
    // The total follows the last day; nothing is left queued behind it.
    await until("daily_totals up to date", async () => {
      const { rows } = await pool.query<{ days: number }>("select days from public.daily_totals");
      return rows[0]?.days === 31;
    });
    const open = await pool.query("select id from almanac.runs where status in ('queued', 'running')");
    assert.equal(open.rowCount, 0);
    // Each server counts the runs it requested; together, every automation run once.
    let counted = 0;
    for (const base of services?.bases ?? []) {
      const text = await fetch(`${base}/metrics`).then((res) => res.text());
      for (const match of text.matchAll(/^almanac_automation_runs_total\{asset="events_daily"\} (\d+)$/gm)) {
        counted += Number(match[1]);
      }
    }
    assert.equal(counted, (await automationRuns("events_daily")).length);
  });
});
