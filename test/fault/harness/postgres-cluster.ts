import { execFile } from "node:child_process";
import { appendFile, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { TestDatabase } from "@almanac/testing";
import { freePort } from "@almanac/testing";
import pg from "pg";

const run = promisify(execFile);

/** Debian's Postgres 15 server binaries (the machines this runs on install Postgres 15 from Debian). */
const binDir = "/usr/lib/postgresql/15/bin";

/**
 * A Postgres cluster of the test's own (initdb in a temp folder, a free port), so a scenario can
 * crash and restart Postgres without touching the shared server other tests use. Postgres
 * refuses to run as root: as root the cluster belongs to the `postgres` OS user.
 */
export interface TestCluster {
  readonly port: number;
  /** A database in it, shaped like `createTestDatabase`'s (`drop()` stops the cluster and removes it). */
  readonly database: TestDatabase;
  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash (crash recovery on start). */
  crash(): Promise<void>;
  /** `pg_ctl stop -m fast`: a clean shutdown, as for maintenance; sessions are ended, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface TestClusterOptions {
  /** Addresses to listen on besides 127.0.0.1 (the service side of network hosts' links). */
  readonly listenAddresses?: readonly string[];
  /** Networks (CIDR) whose clients are trusted without a password, as 127.0.0.1 is. */
  readonly trustedNetworks?: readonly string[];
}

export async function startTestCluster(clusterOptions: TestClusterOptions = {}): Promise<TestCluster> {
  const asRoot = userInfo().uid === 0;
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-fault-pg-"));
  const data = path.join(dir, "data");
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (tool: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", path.join(binDir, tool), ...args], { cwd: dir })
      : run(path.join(binDir, tool), args, { cwd: dir });
  await pgRun("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]);
  for (const network of clusterOptions.trustedNetworks ?? []) {
    await appendFile(path.join(data, "pg_hba.conf"), `host all all ${network} trust\n`);
  }
  const port = await freePort();
  const listen = ["127.0.0.1", ...(clusterOptions.listenAddresses ?? [])].join(",");
  const options = `-p ${port} -k ${dir} -c listen_addresses=${listen} -c max_connections=60 -c shared_buffers=32MB`;
  const start = async () => {
    await pgRun("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
  };
  await start();
  const name = "almanac_fault";
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const stop = (mode: "immediate" | "fast") => pgRun("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
  return {
    port,
    database: {
      name,
      url: `postgres://postgres@127.0.0.1:${port}/${name}`,
      async drop() {
        await stop("immediate").catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    },
    crash: () => stop("immediate").then(() => undefined),
    stop: () => stop("fast").then(() => undefined),
    start,
  };
}
