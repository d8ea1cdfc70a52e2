import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { backfillCommand } from "./commands/backfill.js";
import { type CompileFlags, compileCommand } from "./commands/compile.js";
import { dbStopCommand, dbUrlCommand } from "./commands/db.js";
import { materializeCommand } from "./commands/materialize.js";
import { migrateCommand } from "./commands/migrate.js";
import { reportCommand } from "./commands/report.js";
import { runOperationCommand } from "./commands/run-operation.js";
import { seedCommand } from "./commands/seed.js";
import { snapshotCommand } from "./commands/snapshot.js";
import { statusCommand } from "./commands/status.js";
import { testCommand } from "./commands/test.js";
import { readEnv } from "./config.js";
import { exitCodes, reportError } from "./output.js";
import { runServices } from "./services.js";

const env = (() => {
  try {
    return readEnv();
  } catch (error) {
    process.exit(reportError(error, false));
  }
})();
const program = new Command("almanac")
  .description("Partition-aware orchestration for dbt-style SQL models on Postgres")
  .option("--project <dir>", "the dbt-style project folder (env ALMANAC_PROJECT_DIR)", env.projectDir)
  .option("--verbose", "print stack traces with errors", false)
  .showHelpAfterError("(add --help for usage)")
  .exitOverride();

/** Runs a command body, turning its outcome into an exit code and its errors into one line. */
function action<A extends unknown[]>(body: (projectDir: string, ...args: A) => Promise<number>) {
  return async (...args: A) => {
    const { project, verbose } = program.opts<{ project: string; verbose: boolean }>();
    try {
      process.exitCode = await body(project, ...args);
    } catch (error) {
      process.exitCode = reportError(error, verbose);
    }
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

const insecureHelp =
  "listen on a non-loopback ALMANAC_HOST without ALMANAC_API_TOKEN (env ALMANAC_INSECURE=1); refused otherwise";

program
  .command("migrate")
  .description("apply store migrations (safe when several processes start at once)")
  .action(action(() => migrateCommand(env)));

program
  .command("compile <model>")
  .description("print the rendered SQL of a model for a partition")
  .option("--partition <key>", "partition whose window the SQL is rendered for")
  .option(
    "--incremental",
    "render the is_incremental() branch (default: as a run would, true when the table exists in the database)",
  )
  .option("--full-refresh", "render the first run's SQL, as dbt compile --full-refresh")
  .action(action((projectDir, model: string, flags: CompileFlags) => compileCommand(env, projectDir, model, flags)));

program
  .command("run-operation <macro>")
  .description("call a macro against the warehouse, as dbt run-operation: its queries and adapter calls run at once")
  .option("--args <yaml>", "the macro's keyword arguments as a YAML mapping, e.g. '{days: 3}'")
  .action(
    action((projectDir, macro: string, flags: { args?: string }) => runOperationCommand(env, projectDir, macro, flags)),
  );

program
  .command("seed [selection...]")
  .description(
    "load seeds/*.csv into the warehouse, in one transaction: all seeds, the named ones, or those a model selection reads (+orders)",
  )
  .action(action((projectDir, names: string[]) => seedCommand(env, projectDir, names)));

program
  .command("materialize <selection>")
  .description("materialize the selected models for a partition or an inclusive range, in this process")
  .option("--partition <key>", "one partition key")
  .option("--from <key>", "first partition key of an inclusive range")
  .option("--to <key>", "last partition key of an inclusive range")
  .option("--partitions <name>", "the partitions definition the keys belong to, when the selection ends in several")
  .option("--event-time-start <time>", "as dbt: the partitions holding this time or later (UTC unless offset given)")
  .option("--event-time-end <time>", "as dbt: up to this time, exclusive")
  .addOption(
    new Option("--policy <policy>", "override almanac.yml's backfill policy").choices(["single_run", "multi_run"]),
  )
  .option("--max-partitions-per-run <n>", "with --policy multi_run: partitions per step", positiveInt)
  .action(action((projectDir, selection: string, flags) => materializeCommand(env, projectDir, selection, flags)));

program
  .command("snapshot [selection...]")
  .description(
    "run the dbt snapshots (snapshots/*.sql): all of them, or those of a selection (orders_snapshot, +orders), in this process",
  )
  .action(action((projectDir, terms: string[]) => snapshotCommand(env, projectDir, terms)));

program
  .command("test <selection>")
  .description("run the dbt tests of the selected models on their materialized partitions; exit 1 if one fails")
  .option("--partition <key>", "one partition key")
  .option("--from <key>", "first partition key of an inclusive range")
  .option("--to <key>", "last partition key of an inclusive range")
  .action(action((projectDir, selection: string, flags) => testCommand(env, projectDir, selection, flags)));

program
  .command("backfill <selection>")
  .description("backfill the selected models over an inclusive range, split into runs by the backfill policy")
  .requiredOption("--from <key>", "first partition key of the range")
  .requiredOption("--to <key>", "last partition key of the range")
  .addOption(
    new Option("--policy <policy>", "override almanac.yml's backfill policy").choices(["single_run", "multi_run"]),
  )
  .option("--max-partitions-per-run <n>", "with multi_run: partitions per run (default 1)", positiveInt)
  .addOption(
    new Option("--only <status>", "only partitions missing or failed now").choices([
      "missing",
      "failed",
      "missing_or_failed",
    ]),
  )
  .option("--remote <url>", "request it from a running server (token: ALMANAC_API_TOKEN) and follow it")
  .action(action((projectDir, selection: string, flags) => backfillCommand(env, projectDir, selection, flags)));

program
  .command("report <source>")
  .description("report new data in a source table (source.table): what reads those partitions becomes stale")
  .option("--partition <key>", "one partition key of the source's definition")
  .option("--from <key>", "first partition key of an inclusive range")
  .option("--to <key>", "last partition key of an inclusive range")
  .action(action((projectDir, source: string, flags) => reportCommand(env, projectDir, source, flags)));

program
  .command("status <model>")
  .description("show the partitions of a model and their statuses")
  .option("--json", "print every partition as JSON", false)
  .option("--from <key>", "first partition key to show")
  .option("--to <key>", "last partition key to show")
  .action(action((projectDir, model: string, flags) => statusCommand(env, projectDir, model, flags)));

/** `dev` and `serve` both run the server: the same flags, a worker or not. */
for (const [name, description, worker] of [
  ["dev", "server + worker in one process, for local use (starts Postgres and Redis when not configured)", true],
  ["serve", "the REST server alone (run workers with `almanac worker`)", false],
] as const) {
  program
    .command(name)
    .description(description)
    .option("--port <n>", "port of the server (env PORT, default 3000)", positiveInt)
    .option("--insecure", insecureHelp, false)
    .action(
      action((projectDir, flags: { port?: number; insecure: boolean }) =>
        runServices(env, projectDir, {
          server: true,
          worker,
          port: flags.port,
          insecure: flags.insecure || env.insecure,
        }),
      ),
    );
}

program
  .command("worker")
  .description("a worker that executes queued runs (any number, on any machine sharing Redis and Postgres)")
  .action(action((projectDir) => runServices(env, projectDir, { server: false, worker: true })));

const db = program
  .command("db")
  .description("the embedded Postgres and local Redis used when DATABASE_URL and REDIS_URL are not set");
db.command("url")
  .description("print the store's connection string (starts the embedded Postgres if needed)")
  .action(action(() => dbUrlCommand(env)));
db.command("stop")
  .description("stop the embedded Postgres and the local Redis")
  .action(action(() => dbStopCommand(env)));

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage mistakes are bad input (commander already printed why).
    process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.badInput;
  } else {
    process.exitCode = reportError(error, program.opts<{ verbose: boolean }>().verbose);
  }
}
