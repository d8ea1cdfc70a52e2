// Writes generated order lines into Postgres. Each local day is replaced in one transaction
// (delete the day's window, insert the new lines), so re-running a day is idempotent.
import pg from "pg";
import { daysInRange, localDayWindow } from "./local-days.js";
import { generateDayOrderLines, type OrderLine, shopTimeZone } from "./order-generator.js";

const createShopSchemaSql = `
create schema if not exists shop;
create table if not exists shop.order_lines (
  order_id bigint not null,
  line_no integer not null,
  ordered_at timestamptz not null,
  sku text not null,
  quantity integer not null,
  unit_price_cents integer not null,
  country char(2) not null,
  primary key (order_id, line_no)
);
create index if not exists order_lines_ordered_at_idx on shop.order_lines (ordered_at);
`;

// One statement per batch: arrays bound as parameters and expanded by unnest, so the loader
// needs only pg and sends no SQL built from values.
const insertLinesSql = `
insert into shop.order_lines (order_id, line_no, ordered_at, sku, quantity, unit_price_cents, country)
select * from unnest($1::bigint[], $2::integer[], $3::timestamptz[], $4::text[], $5::integer[], $6::integer[], $7::text[])
`;
const insertBatchLines = 10_000;

/** Creates schema `shop` and `shop.order_lines` when they do not exist yet. */
export async function ensureShopSchema(client: pg.ClientBase): Promise<void> {
  await client.query(createShopSchemaSql);
}

/**
 * Deletes the lines ordered during local day `day` of `timeZone` (default Europe/Berlin);
 * returns how many went.
 */
export async function deleteOrdersDay(client: pg.ClientBase, day: string, timeZone = shopTimeZone): Promise<number> {
  const window = localDayWindow(day, timeZone);
  const result = await client.query("delete from shop.order_lines where ordered_at >= $1 and ordered_at < $2", [
    new Date(window.startMs).toISOString(),
    new Date(window.endMs).toISOString(),
  ]);
  return result.rowCount ?? 0;
}

/** Inserts order lines in batches. */
export async function insertOrderLines(client: pg.ClientBase, lines: readonly OrderLine[]): Promise<void> {
  for (let start = 0; start < lines.length; start += insertBatchLines) {
    const batch = lines.slice(start, start + insertBatchLines);
    await client.query(insertLinesSql, [
      batch.map((line) => line.orderId),
      batch.map((line) => line.lineNo),
      batch.map((line) => line.orderedAt),
      batch.map((line) => line.sku),
      batch.map((line) => line.quantity),
      batch.map((line) => line.unitPriceCents),
      batch.map((line) => line.country),
    ]);
  }
}

/** Options of `generateOrders`. */
export interface GenerateOrdersOptions {
  /** Postgres to write to. */
  readonly databaseUrl: string;
  /** First local day, `YYYY-MM-DD`. */
  readonly from: string;
  /** Last local day, inclusive. */
  readonly to: string;
  /** Regular orders per day (boundary orders come on top); default 500. */
  readonly ordersPerDay?: number;
  /** Default 42. */
  readonly seed?: number;
  /** Delete each day's existing lines first; default true. */
  readonly replace?: boolean;
  /** Called after each day commits. */
  readonly onDay?: (day: string, lines: number) => void;
}

/** What `generateOrders` did. */
export interface GenerateOrdersResult {
  readonly days: number;
  readonly lines: number;
  readonly elapsedMs: number;
}

/**
 * Creates `shop.order_lines` if needed and loads deterministic order lines for every local
 * Berlin day from `from` to `to`, replacing each day's old lines in the same transaction.
 */
export async function generateOrders(options: GenerateOrdersOptions): Promise<GenerateOrdersResult> {
  const days = daysInRange(options.from, options.to);
  const started = performance.now();
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  let total = 0;
  try {
    await ensureShopSchema(client);
    for (const day of days) {
      const lines = generateDayOrderLines({ day, orders: options.ordersPerDay ?? 500, seed: options.seed ?? 42 });
      await client.query("begin");
      try {
        if (options.replace ?? true) await deleteOrdersDay(client, day);
        await insertOrderLines(client, lines);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
      total += lines.length;
      options.onDay?.(day, lines.length);
    }
    await client.query("analyze shop.order_lines");
  } finally {
    await client.end();
  }
  return { days: days.length, lines: total, elapsedMs: performance.now() - started };
}

/** Deletes one local day's order lines (to show vanished source rows leave on re-run). */
export async function dropOrdersDay(databaseUrl: string, day: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await deleteOrdersDay(client, day);
  } finally {
    await client.end();
  }
}
