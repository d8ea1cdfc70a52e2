import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Runs SQL scripts with `psql`, one session per script, all at once, and returns the wall-clock
 * seconds until the last one finished: the floor Almanac is measured against.
 */
export async function runPsqlSessions(databaseUrl: string, scripts: readonly string[]): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "almanac-bench-psql-"));
  try {
    const files = await Promise.all(
      scripts.map(async (script, i) => {
        const file = path.join(dir, `session-${i}.sql`);
        await writeFile(file, script);
        return file;
      }),
    );
    const started = performance.now();
    await Promise.all(files.map((file) => psql(databaseUrl, file)));
    return (performance.now() - started) / 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function psql(databaseUrl: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", databaseUrl, "-f", file], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr}`))));
  });
}

/** Deals items to `sessions` scripts round-robin (day 1 to session 1, day 2 to session 2, …). */
export function dealRoundRobin<T>(items: readonly T[], sessions: number): T[][] {
  const hands: T[][] = Array.from({ length: sessions }, () => []);
  for (const [i, item] of items.entries()) hands[i % sessions]?.push(item);
  return hands;
}
