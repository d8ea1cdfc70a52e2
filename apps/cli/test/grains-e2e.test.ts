import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createRawEvents,
  createTestDatabase,
  repoRoot,
  symmetricDifference,
  type TestDatabase,
} from "@almanac/testing";
import pg from "pg";
import { type ApiClient, apiClient, type RunningServices, runAlmanac, startServices } from "./cli-fixture.js";

// New York hours, days and months across the 2024-03-10 DST change, a rolling week, a running
// total and dbt microbatch models (the engine tests' fixture), driven as a user drives them:
// `almanac materialize`, and the REST API with `almanac serve` and `almanac worker` processes.
const projectDir = path.join(repoRoot, "packages/engine/test/fixtures/grains");
const token = "grains-e2e-token";
const nyDay = "(occurred_at at time zone 'America/New_York')::date";

describe("partitions across definitions, end to end", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let services: RunningServices | undefined;
  const cliEnv = () => ({ DATABASE_URL: db.url, ALMANAC_PROJECT_DIR: projectDir });

  let client: ApiClient;
  const api: ApiClient["call"] = (...args) => client.call(...args);
  const run = async (request: Record<string, string>) => {
    const posted = await api("POST", "/api/runs", request);
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    return client.waitForRun(String(posted.body.runId));
  };
  const statuses = async (asset: string, from: string, to: string) =>
    (await api("GET", `/api/assets/${asset}/statuses?from=${from}&to=${to}`)).body.statuses;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    pool.on("error", () => undefined);
    await createRawEvents(pool, { from: "2024-02-28T00:00:00Z", until: "2024-04-03T00:00:01Z" });
    const migrated = await runAlmanac(cliEnv(), "migrate");
    assert.equal(migrated.code, 0, migrated.stderr);
    services = await startServices({ databaseUrl: db.url, projectDir, apiToken: token });
    client = apiClient(services.base, token);
  });
  after(async () => {
    await services?.stop();
    await pool?.end();
    await db?.drop();
  });

  test("almanac materialize +events_daily over the DST day runs its New York hours, and equals SQL", async () => {
    const result = await runAlmanac(
      cliEnv(),
      "materialize",
      "+events_daily",
      "--from",
      "2024-03-09",
      "--to",
      "2024-03-11",
    );
    assert.equal(result.code, 0, result.stderr);
    const expected = `select ${nyDay} as day, count(distinct date_trunc('hour', occurred_at))::int as hours,
        count(*)::bigint as events, sum(amount) as amount
      from raw.events where ${nyDay} between '2024-03-09' and '2024-03-11' group by 1`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.events_daily", expected), []);
  });

  test("almanac materialize --event-time-start/--event-time-end runs the microbatch batches that time touches", async () => {
    const result = await runAlmanac(
      cliEnv(),
      "materialize",
      "events_batched",
      "--event-time-start",
      "2024-03-01",
      "--event-time-end",
      "2024-03-02T12:00:00",
    );
    assert.equal(result.code, 0, result.stderr);
    const expected = `select occurred_at, amount, to_char(occurred_at at time zone 'UTC', 'YYYYMMDD') as batch_id
      from raw.events where occurred_at >= '2024-03-01T00:00:00Z' and occurred_at < '2024-03-03T00:00:00Z'`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.events_batched", expected), []);
    assert.equal(await statuses("events_batched", "2024-03-01", "2024-03-03"), "mm-");
    const refused = await runAlmanac(
      cliEnv(),
      "materialize",
      "events_batched",
      "--event-time-start",
      "yesterday-ish",
      "--event-time-end",
      "2024-03-02",
    );
    assert.equal(refused.code !== 0, true);
    assert.match(refused.stderr, /event-time-start "yesterday-ish" is not a date or time/);
  });

  test("POST /api/runs for a month runs its 743 hours and 31 days through the worker, and equals SQL", async () => {
    const done = await run({ select: "+events_monthly", partition: "2024-03-01" });
    assert.equal(done.status, "succeeded");
    const expected = `select date '2024-03-01' as month, count(distinct ${nyDay})::int as days,
        count(*)::bigint as events, sum(amount) as amount
      from raw.events
     where occurred_at >= '2024-03-01T00:00:00-05:00' and occurred_at < '2024-04-01T00:00:00-04:00'`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.events_monthly", expected), []);
    assert.equal(await statuses("events_hourly", "2024-03-10-00:00", "2024-03-10-04:00"), "mmmm");
  });

  test("a rolling week and a running total over REST equal SQL; a re-run day makes the week that reads it stale", async () => {
    assert.equal((await run({ select: "rolling_7d", from: "2024-03-07", to: "2024-03-12" })).status, "succeeded");
    assert.equal((await run({ select: "cumulative", from: "2024-03-01", to: "2024-03-12" })).status, "succeeded");
    const days = `with days as (select ${nyDay} as day, sum(amount) as amount from raw.events group by 1)`;
    const rolling = `${days} select d.day, (select sum(w.amount) from days w where w.day > d.day - 7 and w.day <= d.day) as amount_7d
        from days d where d.day between '2024-03-07' and '2024-03-12'`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.rolling_7d", rolling), []);
    const total = `${days} select day, sum(amount) over (order by day) as total from days where day between '2024-03-01' and '2024-03-12'`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.cumulative", total), []);

    assert.equal((await run({ select: "events_daily", partition: "2024-03-05" })).status, "succeeded");
    assert.equal(await statuses("rolling_7d", "2024-03-07", "2024-03-12"), "sssssm");
  });

  test("a backfill of the running total through two workers' slots runs day after day, and microbatch over REST equals SQL", async () => {
    await pool.query("drop table public.cumulative");
    await pool.query("delete from almanac.asset_partitions where asset_key = 'cumulative'");
    const posted = await api("POST", "/api/backfills", { select: "cumulative", from: "2024-03-01", to: "2024-03-20" });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    assert.equal((await client.waitForBackfill(String(posted.body.backfillId))).status, "completed");
    const total = `with days as (select ${nyDay} as day, sum(amount) as amount from raw.events
                     where ${nyDay} between '2024-03-01' and '2024-03-20' group by 1)
      select day, sum(amount) over (order by day) as total from days`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.cumulative", total), []);

    const batched = await run({ select: "+batched_daily", from: "2024-03-10", to: "2024-03-12" });
    assert.equal(batched.status, "succeeded");
    const days = `select date_trunc('day', occurred_at at time zone 'UTC') at time zone 'UTC' as day_start,
        count(*)::bigint as events, sum(amount) as amount from raw.events
      where occurred_at >= '2024-03-10T00:00:00Z' and occurred_at < '2024-03-13T00:00:00Z' group by 1`;
    assert.deepEqual(await symmetricDifference(pool, "select * from public.batched_daily", days), []);
  });

  test("a loader reports new hours over REST and with almanac report: what reads them is stale; bad reports are 4xx and record nothing", async () => {
    assert.equal(await statuses("events_hourly", "2024-03-10-04:00", "2024-03-10-06:00"), "mmm");
    const reported = await api("POST", "/api/sources/raw.events/events", { partition: "2024-03-10-05:00" });
    assert.equal(reported.status, 201, JSON.stringify(reported.body));
    assert.deepEqual(
      [reported.body.source, reported.body.partitions, reported.body.from, reported.body.to],
      ["raw.events", "hourly", "2024-03-10-05:00", "2024-03-10-05:00"],
    );
    assert.equal(await statuses("events_hourly", "2024-03-10-04:00", "2024-03-10-06:00"), "msm");

    const cli = await runAlmanac(
      cliEnv(),
      "report",
      "raw.events",
      "--from",
      "2024-03-11-00:00",
      "--to",
      "2024-03-11-01:00",
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^reported raw\.events: hourly 2024-03-11-00:00\.\.2024-03-11-01:00 updated at /);
    assert.equal(await statuses("events_hourly", "2024-03-11-00:00", "2024-03-11-02:00"), "ssm");

    const count = async () =>
      (await pool.query<{ n: number }>("select count(*)::int as n from almanac.source_events")).rows[0]?.n;
    const before = await count();
    const unknown = await api("POST", "/api/sources/raw.nope/events", {});
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, "ALMANAC_NOT_FOUND"]);
    const badKey = await api("POST", "/api/sources/raw.events/events", { partition: "2024-03-10" });
    assert.deepEqual([badKey.status, badKey.body.error?.code], [400, "ALMANAC_BAD_PARTITION_KEY"]);
    const badCli = await runAlmanac(cliEnv(), "report", "raw.events", "--partition", "yesterday");
    assert.equal(badCli.code, 2, badCli.stderr);
    assert.equal(await count(), before);
  });

  test("GET /api/assets and the asset page show each dependency with its mapping, and a partition links what it reads", async () => {
    const { body } = await api("GET", "/api/assets/cumulative");
    assert.deepEqual(body.mappings, [
      { asset: "events_daily", partitions: "daily", type: "identity", startOffset: 0, endOffset: 0 },
      { asset: "cumulative", partitions: "daily", type: "time_window", startOffset: -1, endOffset: -1 },
    ]);
    const rolling = await api("GET", "/api/assets/rolling_7d");
    assert.deepEqual(rolling.body.mappings, [
      { asset: "events_daily", partitions: "daily", type: "time_window", startOffset: -6, endOffset: 0 },
    ]);
    const page = await (await fetch(`${services?.base}/assets/rolling_7d?partition=2024-03-11`)).text();
    assert.match(page, /events_daily<\/a> <span class="muted">daily windows -6\.\.0<\/span>/);
    assert.match(
      page,
      /<a href="\/assets\/events_daily\?from=2024-03-05&amp;to=2024-03-11#partition">events_daily 2024-03-05\.\.2024-03-11<\/a>/,
    );
  });
});
