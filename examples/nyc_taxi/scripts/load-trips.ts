// Writes generated trips and the zone lookup into Postgres. Each day is replaced in its own
// transaction (delete the day's pickups, COPY the new rows), so a re-run of a day leaves the
// table exactly as the first run did, and a crash never leaves half a day behind.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { addDays, daysInRange } from "./calendar-days.js";
import { readTaxiZones, type TaxiZone, taxiZonesCsvPath } from "./taxi-zones.js";
import { dayTrips, type TripRow, tripToCopyLine } from "./trip-generator.js";

// Column names follow the TLC data dictionary, snake_cased (VendorID → vendor_id, …).
const createRawSchemaSql = `
create schema if not exists raw;
-- Raw as delivered: the TLC lookup repeats location ids 56 and 103, so no primary key here;
-- stg_zones keeps one row per id.
create table if not exists raw.zones (
  location_id integer not null,
  borough text not null,
  zone text not null
);
create table if not exists raw.trips (
  vendor_id smallint not null,
  tpep_pickup_datetime timestamp not null,
  tpep_dropoff_datetime timestamp not null,
  passenger_count smallint,
  trip_distance numeric(10,2) not null,
  ratecode_id smallint,
  store_and_fwd_flag char(1),
  pu_location_id integer not null,
  do_location_id integer not null,
  payment_type smallint not null,
  fare_amount numeric(10,2) not null,
  extra numeric(10,2) not null,
  mta_tax numeric(10,2) not null,
  tip_amount numeric(10,2) not null,
  tolls_amount numeric(10,2) not null,
  improvement_surcharge numeric(10,2) not null,
  total_amount numeric(10,2) not null,
  congestion_surcharge numeric(10,2),
  airport_fee numeric(10,2)
);
-- Day replacement and the models' window filters both select by pickup time. Trips arrive
-- day by day, so the heap is ordered by pickup and a BRIN index is tiny and nearly free to
-- maintain; a btree costs about as much CPU during COPY as parsing the rows does.
create index if not exists trips_pickup_brin on raw.trips using brin (tpep_pickup_datetime);
`;

const copyTripsSql = `copy raw.trips (vendor_id, tpep_pickup_datetime, tpep_dropoff_datetime, passenger_count,
  trip_distance, ratecode_id, store_and_fwd_flag, pu_location_id, do_location_id, payment_type, fare_amount, extra,
  mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount, congestion_surcharge, airport_fee)
  from stdin`;

// Rows per string handed to the COPY stream. About 14 kB, just under the stream's 16 kB high
// water mark: measured 2-3x faster than 5,000-row chunks, because small writes keep Node
// generating while Postgres parses instead of taking turns.
const copyChunkRows = 128;

/** Creates schema `raw` with `raw.trips` and `raw.zones` when they do not exist yet. */
export async function ensureRawSchema(client: pg.ClientBase): Promise<void> {
  await client.query(createRawSchemaSql);
}

/**
 * Replaces `raw.zones` with the TLC zone lookup, letting Postgres parse the CSV.
 * @param csvPath - default: the example's `data/taxi_zones.csv`
 */
export async function loadZones(client: pg.ClientBase, csvPath: string = taxiZonesCsvPath): Promise<void> {
  await client.query("begin");
  try {
    await client.query("delete from raw.zones");
    await pipeline(
      createReadStream(csvPath),
      client.query(copyFrom("copy raw.zones (location_id, borough, zone) from stdin with (format csv, header true)")),
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

/** Deletes the trips picked up on `day` (`YYYY-MM-DD`); returns how many rows went. */
export async function deleteTripsDay(client: pg.ClientBase, day: string): Promise<number> {
  const result = await client.query(
    "delete from raw.trips where tpep_pickup_datetime >= $1::date and tpep_pickup_datetime < $2::date",
    [day, addDays(day, 1)],
  );
  return result.rowCount ?? 0;
}

/** Which of `days` (a contiguous, ascending range) already have trips. */
export async function daysWithTrips(client: pg.ClientBase, days: readonly string[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  const { rows } = await client.query<{ day: string }>(
    `select distinct to_char(tpep_pickup_datetime, 'YYYY-MM-DD') as day from raw.trips
     where tpep_pickup_datetime >= $1::date and tpep_pickup_datetime < $2::date`,
    [days[0], addDays(days[days.length - 1] as string, 1)],
  );
  return new Set(rows.map((row) => row.day));
}

/**
 * Streams trips into `raw.trips` with COPY (text format); returns the number of rows sent.
 * Rows are pulled from `trips` only as the socket drains, so generating and formatting in
 * Node overlaps with Postgres parsing the previous chunk.
 */
export async function copyTrips(client: pg.ClientBase, trips: Iterable<TripRow>): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let chunk = "";
    let inChunk = 0;
    for (const trip of trips) {
      chunk += tripToCopyLine(trip);
      if (++inChunk === copyChunkRows) {
        yield chunk;
        count += inChunk;
        chunk = "";
        inChunk = 0;
      }
    }
    if (inChunk > 0) yield chunk;
    count += inChunk;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(copyTripsSql)));
  return count;
}

/** Options of `generateTrips`. */
export interface GenerateTripsOptions {
  /** Postgres to write to. */
  readonly databaseUrl: string;
  /** First pickup day, `YYYY-MM-DD`. */
  readonly from: string;
  /** Last pickup day, inclusive. */
  readonly to: string;
  /** Trips per day; default 2000. */
  readonly rowsPerDay?: number;
  /** Default 42. */
  readonly seed?: number;
  /** Delete each day's existing trips before loading it; default true. */
  readonly replace?: boolean;
  /** Zone lookup CSV; default the example's `data/taxi_zones.csv`. */
  readonly zonesCsvPath?: string;
  /** Called after each day commits. */
  readonly onDay?: (day: string, rows: number) => void;
}

/** What `generateTrips` did. */
export interface GenerateTripsResult {
  readonly days: number;
  readonly rows: number;
  readonly elapsedMs: number;
}

/**
 * Creates `raw.zones` and `raw.trips` if needed, reloads the zones and loads `rowsPerDay`
 * deterministic trips for every day from `from` to `to`. With `replace` (the default) each
 * day's old rows are deleted first in the same transaction, so re-running is idempotent.
 */
export async function generateTrips(options: GenerateTripsOptions): Promise<GenerateTripsResult> {
  const days = daysInRange(options.from, options.to);
  const zones: readonly TaxiZone[] = readTaxiZones(options.zonesCsvPath);
  const started = performance.now();
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  let rows = 0;
  try {
    await ensureRawSchema(client);
    await loadZones(client, options.zonesCsvPath);
    // Only days that already have trips need a delete. Asking once matters: on a table whose
    // statistics say "empty" the planner seq-scans for every day's delete, which makes a
    // year-long first load quadratic.
    const loadedDays = options.replace === false ? new Set<string>() : await daysWithTrips(client, days);
    for (const day of days) {
      const trips = dayTrips({ day, rows: options.rowsPerDay ?? 2000, seed: options.seed ?? 42, zones });
      let dayRows: number;
      await client.query("begin");
      try {
        if (loadedDays.has(day)) await deleteTripsDay(client, day);
        dayRows = await copyTrips(client, trips);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
      // BRIN leaves freshly filled page ranges unsummarized until a vacuum, and every scan
      // reads unsummarized ranges; summarizing the day's new pages now keeps later deletes
      // and model windows reading only their own day.
      await client.query("select brin_summarize_new_values('raw.trips_pickup_brin')");
      rows += dayRows;
      options.onDay?.(day, dayRows);
    }
    // Fresh statistics let the planner use the BRIN index for day deletes and model windows.
    await client.query("analyze raw.trips");
  } finally {
    await client.end();
  }
  return { days: days.length, rows, elapsedMs: performance.now() - started };
}

/**
 * Deletes one day's source trips, so a test can show that a re-run partition loses the rows
 * whose source vanished. Returns the number of rows deleted.
 */
export async function dropTripsDay(databaseUrl: string, day: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await deleteTripsDay(client, day);
  } finally {
    await client.end();
  }
}
