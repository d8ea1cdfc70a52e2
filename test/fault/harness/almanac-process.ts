import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "@almanac/testing";

/** The built `almanac` command: the fault suite runs what users run (`npm run build` first). */
export const almanacBin = path.join(repoRoot, "apps/cli/bin/almanac.js");

/** One `almanac serve` or `almanac worker` process started by a test. */
export interface AlmanacProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it wrote (pino JSON lines), for assertions and for the failure message. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or signal name) once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resolves with the exit code (or signal name) once it exited. */
  exited(): Promise<number | string>;
  readonly running: boolean;
  /** True once the test asked it to stop: an exit is then expected, not a crash. */
  readonly stopRequested: boolean;
}

/**
 * Spawns `almanac <command>` with exactly `env` (plus PATH), output kept in memory. `prefix` runs
 * it through another command, e.g. `ip netns exec <namespace>`, which execs it (same pid, so
 * signals reach Almanac itself).
 */
export function spawnAlmanac(
  name: string,
  command: string,
  env: Record<string, string>,
  prefix: readonly string[] = [],
): AlmanacProcess {
  const [program = process.execPath, ...args] = [...prefix, process.execPath, almanacBin, command];
  const child = spawn(program, args, {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const keep = (chunk: Buffer) => {
    text += chunk.toString();
    // Bounded: a crash loop must not fill the test's memory.
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exit = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  let stopRequested = false;
  return {
    name,
    child,
    output: () => text,
    exited: () => exit,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    get stopRequested() {
      return stopRequested;
    },
    async stop(signal = "SIGTERM") {
      stopRequested = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** Polls `GET <base>/api/health` until it answers 200; fails after `timeoutMs`. */
export async function waitForHealth(base: string, process: AlmanacProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!process.running) throw new Error(`${process.name} exited before answering:\n${tail(process.output())}`);
    const ok = await fetch(`${base}/api/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${process.name} did not answer /api/health within ${timeoutMs} ms:\n${tail(process.output())}`);
}

/** The last lines of a process's output, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
