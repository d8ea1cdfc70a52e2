import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@almanac/testing";
import pg from "pg";
import { dropTripsDay, generateTrips } from "../scripts/load-trips.js";

describe("generateTrips against Postgres", () => {
  let database: TestDatabase;
  let client: pg.Client;

  before(async () => {
    database = await createTestDatabase({ template: "empty" });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await database?.drop();
  });

  async function tripsPerDay(): Promise<Record<string, number>> {
    const { rows } = await client.query<{ day: string; trips: number }>(
      "select to_char(tpep_pickup_datetime, 'YYYY-MM-DD') as day, count(*)::int as trips from raw.trips group by 1 order by 1",
    );
    return Object.fromEntries(rows.map((row) => [row.day, row.trips]));
  }

  async function tableMd5(): Promise<string> {
    const { rows } = await client.query<{ md5: string }>(
      "select md5(string_agg(t::text, E'\\n' order by t::text)) as md5 from raw.trips t",
    );
    return rows[0]?.md5 ?? "";
  }

  const options = { from: "2024-01-01", to: "2024-01-03", rowsPerDay: 1000, seed: 42 };

  it("loads the zones and rowsPerDay trips for each day of the range", async () => {
    const result = await generateTrips({ databaseUrl: database.url, ...options });
    assert.deepEqual({ days: result.days, rows: result.rows }, { days: 3, rows: 3000 });
    assert.deepEqual(await tripsPerDay(), { "2024-01-01": 1000, "2024-01-02": 1000, "2024-01-03": 1000 });
    const zones = await client.query(
      "select count(*)::int as n, count(distinct location_id)::int as ids from raw.zones",
    );
    assert.deepEqual(zones.rows[0], { n: 263, ids: 260 });
  });

  it("replaces a re-generated day with byte-identical rows", async () => {
    const before = await tableMd5();
    await generateTrips({ databaseUrl: database.url, ...options, from: "2024-01-02", to: "2024-01-02" });
    assert.equal(await tableMd5(), before);
    assert.deepEqual(await tripsPerDay(), { "2024-01-01": 1000, "2024-01-02": 1000, "2024-01-03": 1000 });
  });

  it("drops one day's trips and nothing else", async () => {
    assert.equal(await dropTripsDay(database.url, "2024-01-02"), 1000);
    assert.deepEqual(await tripsPerDay(), { "2024-01-01": 1000, "2024-01-03": 1000 });
    await generateTrips({ databaseUrl: database.url, ...options });
    assert.deepEqual(await tripsPerDay(), { "2024-01-01": 1000, "2024-01-02": 1000, "2024-01-03": 1000 });
  });
});
