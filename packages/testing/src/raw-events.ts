/**
 * `raw.events(occurred_at, amount)`: the web events the grains and automation fixtures read, one
 * every 7 minutes (so hours hold 8 or 9 and no two days look alike), deterministic.
 */
export interface RawEventsOptions {
  /** First event instant, inclusive (ISO-8601). */
  readonly from: string;
  /** Events stop before this instant (ISO-8601). */
  readonly until: string;
  /** `varied` (default): amounts from the minute, 0..24; `ones`: every amount 1. */
  readonly amounts?: "varied" | "ones";
}

/** Anything with pg's `query` (a pool, a client). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export async function createRawEvents(db: Queryable, options: RawEventsOptions): Promise<void> {
  const amount =
    options.amounts === "ones" ? "1::numeric" : "((extract(epoch from ts)::bigint / 60) % 97)::numeric / 4";
  await db.query("create schema if not exists raw");
  await db.query(
    `create table raw.events as
     select ts as occurred_at, ${amount} as amount
       from generate_series($1::timestamptz, $2::timestamptz, interval '7 minutes') as ts
      where ts < $2::timestamptz`,
    [options.from, options.until],
  );
}
