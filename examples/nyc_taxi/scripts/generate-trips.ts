// CLI: load deterministic synthetic TLC yellow-taxi trips into raw.trips.
//
//   npx tsx examples/nyc_taxi/scripts/generate-trips.ts --from 2024-01-01 --to 2024-01-31 \
//     [--database-url URL] [--rows-per-day 2000] [--seed 42] [--no-replace]
//   npx tsx examples/nyc_taxi/scripts/generate-trips.ts --drop-day 2024-01-15
import { Command, InvalidArgumentError } from "commander";
import { dayNumber } from "./calendar-days.js";
import { dropTripsDay, generateTrips } from "./load-trips.js";

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function calendarDay(value: string): string {
  try {
    dayNumber(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

interface CliOptions {
  databaseUrl?: string;
  from?: string;
  to?: string;
  rowsPerDay: number;
  seed: number;
  replace: boolean;
  dropDay?: string;
}

// Typed explicitly so `program.error` (returns never) narrows the checks below.
const program: Command = new Command("generate-trips");
program
  .description("Load deterministic synthetic NYC yellow-taxi trips (raw.trips) and the zone lookup (raw.zones)")
  .option("--database-url <url>", "Postgres to write to (default: $DATABASE_URL)", process.env.DATABASE_URL)
  .option("--from <day>", "first pickup day, YYYY-MM-DD", calendarDay)
  .option("--to <day>", "last pickup day, YYYY-MM-DD (inclusive)", calendarDay)
  .option("--rows-per-day <n>", "trips per day", wholeNumber, 2000)
  .option("--seed <n>", "PRNG seed; the same arguments always give the same rows", wholeNumber, 42)
  .option("--no-replace", "append instead of replacing each day's existing trips")
  .option("--drop-day <day>", "only delete that day's trips (to simulate vanished source rows)", calendarDay)
  .action(async () => {
    const options = program.opts<CliOptions>();
    const databaseUrl = options.databaseUrl;
    if (!databaseUrl) program.error("set --database-url or DATABASE_URL");
    if (options.dropDay) {
      const deleted = await dropTripsDay(databaseUrl, options.dropDay);
      console.log(`deleted ${deleted} trips picked up on ${options.dropDay}`);
      return;
    }
    if (!options.from || !options.to) program.error("--from and --to are required (or --drop-day)");
    if (dayNumber(options.from) > dayNumber(options.to))
      program.error(`--from ${options.from} is after --to ${options.to}`);
    const result = await generateTrips({
      databaseUrl,
      from: options.from,
      to: options.to,
      rowsPerDay: options.rowsPerDay,
      seed: options.seed,
      replace: options.replace,
      onDay: (day, rows) => {
        // A live counter on a terminal; logs get only the summary line.
        if (process.stderr.isTTY) process.stderr.write(`\r${day}: ${rows} trips`);
      },
    });
    const seconds = result.elapsedMs / 1000;
    if (process.stderr.isTTY) process.stderr.write("\n");
    console.log(
      `loaded ${result.rows} trips over ${result.days} days in ${seconds.toFixed(1)}s (${Math.round(result.rows / seconds)} rows/s)`,
    );
  });

await program.parseAsync();
