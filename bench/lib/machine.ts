import os from "node:os";
import pg from "pg";

/** The Postgres settings that move these numbers, read from the server the benchmarks used. */
const settings = [
  "server_version",
  "shared_buffers",
  "work_mem",
  "synchronous_commit",
  "fsync",
  "wal_sync_method",
  "max_connections",
  "max_parallel_workers_per_gather",
  "jit",
];

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: Record<string, string>;
}

export async function describeMachine(databaseUrl: string): Promise<MachineInfo> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      "select name, setting, unit from pg_settings where name = any($1)",
      [settings],
    );
    return {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      postgres: Object.fromEntries(
        rows.map((row) => [row.name, row.unit ? `${row.setting} ${row.unit}` : row.setting]),
      ),
    };
  } finally {
    await client.end();
  }
}
