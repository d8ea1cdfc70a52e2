// CLI: load deterministic synthetic web-shop order lines into shop.order_lines.
//
//   npx tsx examples/shop_orders/scripts/generate-orders.ts --from 2024-03-25 --to 2024-04-07 \
//     [--database-url URL] [--orders-per-day 500] [--seed 42] [--no-replace]
//   npx tsx examples/shop_orders/scripts/generate-orders.ts --drop-day 2024-03-31
//
// Parsed with node:util parseArgs: the example needs nothing beyond pg.
import { parseArgs } from "node:util";
import { dropOrdersDay, generateOrders } from "./load-orders.js";
import { dayNumber } from "./local-days.js";

const usage = `usage: generate-orders --from YYYY-MM-DD --to YYYY-MM-DD [--database-url URL]
         [--orders-per-day N (500)] [--seed N (42)] [--no-replace]
       generate-orders --drop-day YYYY-MM-DD [--database-url URL]
Days are local Europe/Berlin days; --to is inclusive; --database-url defaults to $DATABASE_URL.`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function calendarDay(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    dayNumber(value);
  } catch (error) {
    fail(`--${name}: ${(error as Error).message}`);
  }
  return value;
}

let parsed: ReturnType<typeof parseCommandLine>;
function parseCommandLine() {
  return parseArgs({
    options: {
      "database-url": { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      "orders-per-day": { type: "string" },
      seed: { type: "string" },
      "no-replace": { type: "boolean", default: false },
      "drop-day": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  }).values;
}
try {
  parsed = parseCommandLine();
} catch (error) {
  fail((error as Error).message);
}
if (parsed.help) {
  console.log(usage);
  process.exit(0);
}

const databaseUrl = parsed["database-url"] ?? process.env.DATABASE_URL ?? fail("set --database-url or DATABASE_URL");
const dropDay = calendarDay("drop-day", parsed["drop-day"]);
if (dropDay) {
  const deleted = await dropOrdersDay(databaseUrl, dropDay);
  console.log(`deleted ${deleted} order lines of ${dropDay} (Europe/Berlin)`);
} else {
  const from = calendarDay("from", parsed.from) ?? fail("--from is required");
  const to = calendarDay("to", parsed.to) ?? fail("--to is required");
  if (dayNumber(from) > dayNumber(to)) fail(`--from ${from} is after --to ${to}`);
  const result = await generateOrders({
    databaseUrl,
    from,
    to,
    ordersPerDay: wholeNumber("orders-per-day", parsed["orders-per-day"], 500),
    seed: wholeNumber("seed", parsed.seed, 42),
    replace: !parsed["no-replace"],
    onDay: (day, lines) => {
      // A live counter on a terminal; logs get only the summary line.
      if (process.stderr.isTTY) process.stderr.write(`\r${day}: ${lines} order lines`);
    },
  });
  const seconds = result.elapsedMs / 1000;
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(
    `loaded ${result.lines} order lines over ${result.days} days in ${seconds.toFixed(1)}s (${Math.round(result.lines / seconds)} lines/s)`,
  );
}
