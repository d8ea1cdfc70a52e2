/**
 * OpenTelemetry for the long-running commands, started before anything else is loaded.
 *
 * The bin calls {@link startTracingEarly} before it imports the CLI, because the SDK's HTTP and
 * pg instrumentations patch those modules when they are first loaded. With no OTLP endpoint in
 * the environment, or for any other command, nothing of the SDK is even imported.
 */

import type { Tracing } from "@almanac/tracing/sdk";

/** The commands that serve requests or execute runs: the only ones worth tracing. */
const tracedCommands = new Set(["serve", "worker", "dev"]);

let started: Tracing | undefined;

/** The command `argv` (without node and the script) names, skipping the global options. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--project") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

/** Whether the standard variables ask for traces: an OTLP endpoint, and the SDK not disabled. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED?.toLowerCase() !== "true";
}

/** Starts the SDK for `almanac serve | worker | dev` when {@link tracingRequested}; else does nothing. */
export async function startTracingEarly(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const command = commandOf(argv);
  if (command === undefined || !tracedCommands.has(command) || !tracingRequested(env)) return;
  const { startTracing } = await import("@almanac/tracing/sdk");
  started = startTracing(`almanac-${command}`);
}

/** Exports the spans still batched and stops the SDK, if it was started. Never throws. */
export async function stopTracing(): Promise<void> {
  await started?.shutdown().catch(() => undefined);
  started = undefined;
}
