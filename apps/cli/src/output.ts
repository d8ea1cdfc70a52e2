import { styleText } from "node:util";
import { isAlmanacError } from "@almanac/errors";

/** Exit codes scripts can rely on (documented in the README). */
export const exitCodes = {
  ok: 0,
  /** The run finished, but at least one step failed or was skipped. */
  runFailed: 1,
  /** Bad input: unknown model, malformed key, bad selector, template error… Nothing was changed. */
  badInput: 2,
  /** Postgres unreachable, or a bug in Almanac. */
  unavailable: 3,
  /** Stopped by Ctrl-C (the shell's convention for SIGINT). */
  canceled: 130,
} as const;

const colors = process.stderr.isTTY && !process.env.NO_COLOR;

/** Colors text for the terminal, and leaves it plain when stderr is not one. */
export function paint(style: Parameters<typeof styleText>[0], text: string): string {
  return colors ? styleText(style, text) : text;
}

/**
 * Prints an error as one line (`error [CODE]: message`) and returns the exit code. Stack
 * traces only with --verbose: a user's mistake is not a crash.
 */
export function reportError(error: unknown, verbose: boolean): number {
  if (isAlmanacError(error)) {
    process.stderr.write(`${paint("red", "error")} [${error.code}]: ${error.message}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.httpStatus < 500 ? exitCodes.badInput : exitCodes.unavailable;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|28P01|28000|3D000)$/.test(code)) {
    process.stderr.write(`${paint("red", "error")} [ALMANAC_STORE_UNAVAILABLE]: cannot reach Postgres: ${message}\n`);
    return exitCodes.unavailable;
  }
  process.stderr.write(
    `${paint("red", "error")}: unexpected failure (a bug in Almanac, please report it): ${message}\n`,
  );
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write("rerun with --verbose for the stack trace\n");
  return exitCodes.unavailable;
}
