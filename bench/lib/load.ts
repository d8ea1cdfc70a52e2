import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { quantile } from "./stats.js";

/** Latency percentiles (ms) and throughput (per second) of one measured load. */
export interface LoadFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

/**
 * HTTP GETs of `url` for `seconds`: one connection asking again as soon as each answer is read
 * (latencies timed here, body included), or several at once with autocannon (throughput).
 */
export async function httpLoad(url: string, connections: number, seconds: number): Promise<LoadFigures> {
  if (connections === 1) return sequentialGets(url, seconds);
  const result = await autocannon({ url, connections, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  return { p50Ms: result.latency.p50, p99Ms: result.latency.p99, perSecond: result.requests.average };
}

async function sequentialGets(url: string, seconds: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return {
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    perSecond: latencies.length / seconds,
  };
}

/**
 * The same read as plain SQL from `clients` pgbench sessions for `seconds`: the floor of a
 * status read. Per-transaction latencies come from pgbench's log.
 */
export async function sqlLoad(
  databaseUrl: string,
  sql: string,
  clients: number,
  seconds: number,
): Promise<LoadFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-bench-pgbench-"));
  try {
    const script = path.join(dir, "query.sql");
    await writeFile(script, `${sql.trim().replace(/;$/, "")};\n`);
    const args = ["-n", "-f", script, "-c", String(clients), "-j", String(Math.min(clients, 2))];
    args.push("-T", String(seconds), "--log", `--log-prefix=${path.join(dir, "log")}`, databaseUrl);
    const output = await run("pgbench", args, dir);
    const tps = /tps = ([\d.]+)/.exec(output);
    if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
    const latencies: number[] = [];
    for (const file of (await readdir(dir)).filter((name) => name.startsWith("log"))) {
      for (const line of (await readFile(path.join(dir, file), "utf8")).split("\n")) {
        // client_id transaction_no time(µs) script_no time_epoch time_us
        const micros = Number(line.split(" ")[2]);
        if (Number.isFinite(micros) && line !== "") latencies.push(micros / 1000);
      }
    }
    return { p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), perSecond: Number(tps[1]) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}: ${output}`)),
    );
  });
}
